package check

import (
	"io"

	"github.com/crmimport/crm-import/internal/sheet"
)

// memReader is an in-memory sheet.Reader: text cells, numbered from row 2,
// with errors to return at given rows.
type memReader struct {
	header []string
	rows   [][]sheet.Cell
	errs   map[int]error // by index into rows: returned instead of the row
	next   int
	delim  string // Info's delimiter; "" means ","
	// warnings are what Warnings returns once every row was read.
	warnings []string
}

func texts(header []string, rows ...[]string) *memReader {
	m := &memReader{header: header, errs: map[int]error{}}
	for _, r := range rows {
		cells := make([]sheet.Cell, len(header))
		for i := range cells {
			if i < len(r) && r[i] != "" {
				cells[i] = sheet.Cell{Kind: sheet.Text, Text: r[i]}
			}
		}
		m.rows = append(m.rows, cells)
	}
	return m
}

func (m *memReader) Info() sheet.Info {
	delim := m.delim
	if delim == "" {
		delim = ","
	}
	return sheet.Info{Format: "csv", Encoding: "utf-8", Delimiter: delim}
}
func (m *memReader) Header() []string { return m.header }
func (m *memReader) Close() error     { return nil }
func (m *memReader) Warnings() []string {
	if m.next < len(m.rows) {
		return nil
	}
	return m.warnings
}
func (m *memReader) Next() (sheet.Row, error) {
	if m.next >= len(m.rows) {
		return sheet.Row{}, io.EOF
	}
	i := m.next
	m.next++
	if err := m.errs[i]; err != nil {
		return sheet.Row{}, err
	}
	return sheet.Row{Number: i + 2, Cells: m.rows[i]}, nil
}
