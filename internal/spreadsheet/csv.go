package spreadsheet

import (
	"encoding/csv"
	"io"
	"strings"
)

// csvWriter writes UTF-8 with a byte order mark, which Excel needs to read
// accents right, and escapes cells a spreadsheet would run as a formula.
type csvWriter struct{ w *csv.Writer }

func newCSV(w io.Writer) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	return &csvWriter{w: csv.NewWriter(w)}, nil
}

func (c *csvWriter) Write(cells []string) error {
	out := make([]string, len(cells))
	for i, v := range cells {
		out[i] = Escape(v)
	}
	return c.w.Write(out)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// Escape keeps a cell that starts like a formula (=, @, a tab or a
// carriage return, or + and - before anything but a number) from being
// run when the file is opened: OWASP's CSV injection advice, a leading
// apostrophe. A phone number (+49 30 1234567) or a negative amount is
// left as it is, so the file reads back the same.
func Escape(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if strings.Trim(v[1:], "0123456789 .,()-/") != "" || len(v) == 1 {
			return "'" + v
		}
	}
	return v
}
