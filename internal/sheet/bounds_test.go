package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// What reading a row costs must depend on its values, not on how many
// separators or cells the file puts after them.
func TestCSVRowsCostNoCellsPastTheirLastValue(t *testing.T) {
	tests := []struct {
		name string
		row  string
	}{
		{"a million separators after the titled columns", "1,2" + strings.Repeat(",", 1_000_000)},
		{"a value a million columns out", strings.Repeat(",", 1_000_000) + "x"},
		{"a million values", strings.Repeat("x,", 1_000_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := []byte("a,b\n0,0\n" + tt.row + "\n3,4\n")
			r, err := OpenCSV(bytes.NewReader(input), Options{})
			if err != nil {
				t.Fatalf("OpenCSV() = %v", err)
			}
			defer r.Close()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rows := 0
			for {
				_, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var e *Error
				if err != nil && !(errors.As(err, &e) && e.RowOnly) {
					t.Fatalf("Next() = %v", err)
				}
				rows++
			}
			runtime.ReadMemStats(&after)
			// The line is gathered in a buffer that grows as it is read
			// (a few times its size in all); a cell for each of a million
			// fields would be 56 MB, 28 to 56 bytes per byte of the row.
			if alloc, most := after.TotalAlloc-before.TotalAlloc, 8*uint64(len(tt.row))+(1<<20); alloc > most {
				t.Errorf("reading a %d-byte row allocated %d bytes, want at most %d", len(tt.row), alloc, most)
			}
			if rows != 3 {
				t.Errorf("read %d rows, want 3", rows)
			}
		})
	}
}

// xlsxWith returns the customers.xlsx fixture with its first sheet and
// shared strings replaced.
func xlsxWith(t *testing.T, sheetData, sharedStrings string) string {
	t.Helper()
	var entries []zipEntry
	for _, e := range zipEntries(t, fixture("customers.xlsx")) {
		switch e.name {
		case "xl/worksheets/sheet1.xml":
			e.data = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`)
		case "xl/sharedStrings.xml":
			e.data = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
				`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sharedStrings + `</sst>`)
		}
		entries = append(entries, e)
	}
	return writeFile(t, "book.xlsx", makeZip(t, entries...))
}

func inline(ref, text string) string {
	if ref != "" {
		ref = ` r="` + ref + `"`
	}
	return `<c` + ref + ` t="inlineStr"><is><t>` + text + `</t></is></c>`
}

// Cells without a reference count on past XFD, which excelize does not
// stop: the reader keeps none of them, and the row is a row error.
func TestXLSXRowPastTheLastColumn(t *testing.T) {
	path := xlsxWith(t,
		`<row r="1">`+inline("A1", "Name")+`</row>`+
			`<row r="2">`+inline("A2", "Acme")+inline("XFD2", "end")+inline("", "past")+`</row>`+
			`<row r="3">`+inline("A3", "Beta")+`</row>`,
		`<si><t>unused</t></si>`)
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer r.Close()
	_, err = r.Next()
	want := `row 2: has 16385 values but only 1 columns have a title: column XFD holds "end" and has no title`
	if err == nil || err.Error() != want {
		t.Errorf("Next() = %v, want %s", err, want)
	}
	row, err := r.Next()
	if err != nil || row.Number != 3 || len(row.Cells) != 1 || row.Cells[0].Text != "Beta" {
		t.Errorf("Next() = %+v, %v, want row 3 with Beta", row, err)
	}
}

func TestXLSXSharedStringsBoundedByWhatTheSheetsCouldUse(t *testing.T) {
	cells := func(n int) string {
		var b strings.Builder
		b.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">`)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, `<c t="s"><v>%d</v></c>`, i%100_000)
		}
		b.WriteString(`</row>`)
		return b.String()
	}
	distinct := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "<si><t>Customer %06d</t></si>", i)
		}
		return b.String()
	}
	tests := []struct {
		name          string
		sheet, shared string
		want          string // the refusal; "" when the workbook opens
	}{
		{"100,000 distinct texts, each used", cells(100_000), distinct(100_000), ""},
		{"a million empty texts for one cell", cells(0), strings.Repeat("<si><t/></si>", 1_000_000),
			"the workbook lists more than 65546 texts for its cells, but its sheets have room for at most 10 cells; it is damaged: open it in your spreadsheet program and save it again, or save it as CSV"},
		{"300,000 cells and 200,000 texts, all the same", cells(300_000), strings.Repeat("<si><t>a</t></si>", 200_000),
			"which only the same texts repeated over and over give, while a spreadsheet program stores each text once; it is damaged"},
		{"texts in a namespace prefix are counted too", cells(0), strings.Repeat("<x:si><x:t/></x:si>", 100_000),
			"but its sheets have room for at most 10 cells"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(xlsxWith(t, tt.sheet, tt.shared), Options{})
			if err == nil {
				r.Close()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Open() = %v, want the workbook read", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Open() = %v, want a refusal saying %q", err, tt.want)
			}
		})
	}
}

func TestCountElements(t *testing.T) {
	tests := []struct {
		xml  string
		stop uint64
		want uint64
	}{
		{`<sst><si><t>a</t></si><si/><si ><t/></si></sst>`, 10, 3},
		{`<x:sst xmlns:x="ns"><x:si><x:t>a</x:t></x:si></x:sst>`, 10, 1},
		{`<sis/><s/><sil>a</sil><?si?><!-- x -->`, 10, 0},
		{`<si/><si/><si/><si/>`, 2, 2},
		{`<si` + strings.Repeat(" ", 100<<10) + `/>` + strings.Repeat("x", 200<<10) + `<si/>`, 10, 2},
	}
	for _, tt := range tests {
		got, err := countElements(strings.NewReader(tt.xml), "si", tt.stop)
		if err != nil || got != tt.want {
			t.Errorf("countElements(%q, %d) = %d, %v, want %d", clip(tt.xml), tt.stop, got, err, tt.want)
		}
	}
}
