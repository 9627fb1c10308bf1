package sheet

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// source is what each file format provides: its rows in order, numbered as
// the tenant's spreadsheet program numbers them. A source may return rows
// shorter or longer than the header and rows of empty cells; table evens
// them out, so every format behaves the same.
type source interface {
	next() (Row, error) // io.EOF after the last row
	close() error
}

// table turns a source into a Reader: the first non-empty row is the
// header, later rows are padded to its width.
type table struct {
	src       source
	info      Info
	header    []string
	headerRow int
	// hint is added to the message about a row longer than the header,
	// e.g. for CSV the separator that may be missing its quotes.
	hint string

	first    *Row // the first data row, read ahead by newTable
	firstErr error
	err      error // once set, Next returns it again
	closed   bool
}

func newTable(src source, info Info, hint string) (*table, error) {
	t := &table{src: src, info: info, hint: hint}
	if err := t.readHeader(); err != nil {
		src.close()
		return nil, err
	}
	row, err := t.read()
	switch {
	case err == io.EOF:
		src.close()
		return nil, refuse("the file has column titles but no data rows")
	case err != nil && !isRowOnly(err):
		src.close()
		return nil, err
	}
	t.first, t.firstErr = &row, err
	return t, nil
}

func (t *table) readHeader() error {
	for {
		row, err := t.src.next()
		if err == io.EOF {
			if t.info.Sheet != "" {
				return refuse("the sheet %q is empty: its first row must hold the column titles", t.info.Sheet)
			}
			return refuse("the file is empty: the first row must hold the column titles")
		}
		var wide *wideRow
		if errors.As(err, &wide) {
			return &Error{Row: row.Number, Reason: fmt.Sprintf(
				"the titles run to column %s: %d columns, more than the %d (up to column %s) a sheet can have in Excel or LibreOffice; the file may be damaged, or its separator not the one detected: save it again from your spreadsheet program",
				ColumnName(wide.width), wide.width, maxColumns, ColumnName(maxColumns))}
		}
		if err != nil {
			return err
		}
		if emptyRow(row.Cells) {
			continue
		}
		last := len(row.Cells) - 1
		for last >= 0 && row.Cells[last].Text == "" {
			last--
		}
		t.header = make([]string, last+1)
		for i := range t.header {
			t.header[i] = strings.TrimSpace(row.Cells[i].Text)
		}
		t.headerRow = row.Number
		return nil
	}
}

func (t *table) Info() Info       { return t.info }
func (t *table) Header() []string { return t.header }

func (t *table) Warnings() []string {
	n, ok := t.src.(noter)
	if !ok {
		return nil
	}
	var list []string
	for _, note := range n.notes() {
		e := &Error{Row: note.row, Column: note.column, Reason: note.reason}
		if note.row != t.headerRow { // in the header, the value is the title
			t.titled(e)
		}
		list = append(list, e.Error())
	}
	return list
}

func (t *table) Next() (Row, error) {
	if t.first != nil {
		row, err := *t.first, t.firstErr
		t.first, t.firstErr = nil, nil
		return row, err
	}
	if t.err != nil {
		return Row{}, t.err
	}
	row, err := t.read()
	if err != nil && !isRowOnly(err) {
		t.err = err
	}
	return row, err
}

// titled adds the column's title to an error that names a column.
func (t *table) titled(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Column > 0 && e.Column <= len(t.header) && e.Title == "" {
		e.Title = t.header[e.Column-1]
	}
	return err
}

// read returns the next row that has a value, as wide as the header.
func (t *table) read() (Row, error) {
	for {
		row, err := t.src.next()
		var wide *wideRow
		if err != nil && !errors.As(err, &wide) {
			return Row{}, t.titled(err)
		}
		if wide == nil && emptyRow(row.Cells) {
			continue
		}
		width := len(t.header)
		if len(row.Cells) > width || wide != nil {
			count, column, value := len(row.Cells), 0, ""
			for count > 0 && row.Cells[count-1].Text == "" {
				count--
			}
			for i := width; i < count; i++ {
				if row.Cells[i].Text != "" {
					column, value = i+1, clip(row.Cells[i].Text)
					break
				}
			}
			if wide != nil {
				count = wide.width
				if column == 0 {
					column, value = wide.column, wide.value
				}
			}
			// A copy, so that the source's longer array is not kept.
			row.Cells = slices.Clone(row.Cells[:min(width, len(row.Cells))])
			if column > 0 {
				return row, &Error{Row: row.Number, RowOnly: true, Reason: fmt.Sprintf(
					"has %d values but only %d columns have a title: column %s holds %q and has no title%s",
					count, width, ColumnName(column), value, t.hint)}
			}
		}
		if len(row.Cells) < width {
			cells := make([]Cell, width)
			copy(cells, row.Cells)
			row.Cells = cells
		}
		return row, nil
	}
}

func (t *table) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	return t.src.close()
}

func emptyRow(cells []Cell) bool {
	for _, c := range cells {
		if c.Text != "" {
			return false
		}
	}
	return true
}

func isRowOnly(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.RowOnly
}

// clip shortens a value for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
