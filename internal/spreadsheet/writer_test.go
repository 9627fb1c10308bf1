package spreadsheet

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/sheet"
)

// Every format reads back with the project's own readers as it was
// written: what an export writes, an import reads the same.
func TestWrittenFilesReadBackTheSame(t *testing.T) {
	rows := [][]string{
		{"ID crm-import", "Name", "Telefon", "Notiz", "Kundennummer"},
		{"r-1", "Müller & Söhne <GmbH>", "+49 30 1234567", "zwei\nZeilen", "007"},
		{"r-2", "=HYPERLINK(\"x\")", "", "-12.5", "-"},
	}
	want := [][]string{rows[1], {"r-2", "'=HYPERLINK(\"x\")", "", "-12.5", "'-"}}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "export."+format)
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w, err := New(format, f, "Kunden: A/B")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					t.Fatalf("Write(%q) = %v", r, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatalf("Close() = %v", err)
			}
			f.Close()

			r, err := sheet.Open(path, sheet.Options{})
			if err != nil {
				t.Fatalf("sheet.Open(%s) = %v", format, err)
			}
			defer r.Close()
			if got := r.Header(); !reflect.DeepEqual(got, rows[0]) {
				t.Errorf("header = %q, want %q", got, rows[0])
			}
			var got [][]string
			for {
				row, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				cells := make([]string, len(rows[0]))
				for i, c := range row.Cells {
					if i < len(cells) {
						cells[i] = c.Text
					}
				}
				got = append(got, cells)
			}
			// Only CSV needs the formula escaped: a workbook's text cell is
			// never run.
			exp := want
			if format != CSV {
				exp = rows[1:]
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("rows = %q, want %q", got, exp)
			}
		})
	}
}
