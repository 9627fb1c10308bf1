package sheet

import (
	"errors"
	"fmt"
	"io"
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
	src    source
	info   Info
	header []string
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
		return nil
	}
}

func (t *table) Info() Info       { return t.info }
func (t *table) Header() []string { return t.header }

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
		if err != nil {
			return Row{}, t.titled(err)
		}
		if emptyRow(row.Cells) {
			continue
		}
		width := len(t.header)
		if len(row.Cells) > width {
			for i := width; i < len(row.Cells); i++ {
				if row.Cells[i].Text == "" {
					continue
				}
				count := len(row.Cells)
				for row.Cells[count-1].Text == "" {
					count--
				}
				value := row.Cells[i].Text
				row.Cells = row.Cells[:width]
				return row, &Error{Row: row.Number, RowOnly: true, Reason: fmt.Sprintf(
					"has %d values but only %d columns have a title: column %s holds %q and has no title%s",
					count, width, ColumnName(i+1), clip(value), t.hint)}
			}
			row.Cells = row.Cells[:width]
		}
		for len(row.Cells) < width {
			row.Cells = append(row.Cells, Cell{})
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
