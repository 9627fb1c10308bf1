package sheet

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzCSV feeds arbitrary bytes to the CSV reader: it must not panic, and
// what it returns must hold the Reader's promises. Small limits keep the
// memory of each run bounded.
func FuzzCSV(f *testing.F) {
	seeds := []string{
		"Name,City\nMüller,Köln\n",
		"a;b;c\r\n1;\"2;x\";3\r\n\r\n4;5\r\n",
		"sep=|\nA|B\n1|2|3\n",
		"a\tb\r1\t2\r",
		"\xEF\xBB\xBFa,b\n\"x\"\"y\",\"multi\nline\"\n",
		"\xFF\xFEa\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00",
		"Name;Stra\xDFe\nM\xFCller;K\xF6nigstra\xDFe\n",
		"a,b\n1,\"unclosed\n",
		"a,b\n1,x\"y\n",
		"a,b\n\x00\x01\x02",
		"",
		"\n\n\n",
		"a,,,\n,,,\n1,2,3,4,5\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{MaxCellBytes: 256}
		r, err := OpenCSV(bytes.NewReader(data), opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("OpenCSV() = %T %v, want a *Error", err, err)
			}
			return
		}
		defer r.Close()
		header := r.Header()
		for _, title := range header {
			if !utf8.ValidString(title) {
				t.Fatalf("title %q is not valid UTF-8", title)
			}
		}
		last := 0
		for i := 0; ; i++ {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var e *Error
			if errors.As(err, &e) && e.RowOnly {
				continue
			}
			if err != nil {
				return
			}
			if row.Number <= last {
				t.Fatalf("row number %d after %d", row.Number, last)
			}
			last = row.Number
			if len(row.Cells) != len(header) {
				t.Fatalf("row %d has %d cells, header %d", row.Number, len(row.Cells), len(header))
			}
			for _, c := range row.Cells {
				if !utf8.ValidString(c.Text) || len(c.Text) > opts.MaxCellBytes {
					t.Fatalf("row %d: cell %q is not valid UTF-8 or longer than the limit", row.Number, c.Text)
				}
			}
		}
	})
}
