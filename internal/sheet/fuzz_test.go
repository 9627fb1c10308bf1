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

// FuzzODS feeds arbitrary content.xml to the ODS reader: damaged or
// hostile XML must give an error, never a panic or a runaway.
func FuzzODS(f *testing.F) {
	// Small seeds: the fuzzer mutates large ones (LibreOffice's own
	// content.xml is 30 KB) too slowly to be useful.
	const head = `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>`
	const tail = `</office:spreadsheet></office:body></office:document-content>`
	seeds := []string{
		odsSheet("S", odsHeader, odsRow("", odsText("A"), `<table:table-cell office:value-type="date" office:date-value="2026-12-31"><text:p>31.12.26</text:p></table:table-cell>`)),
		odsSheet("S", odsHeader, odsRow(`table:number-rows-repeated="3"`, `<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1.5"/>`), odsRow(`table:number-rows-repeated="1048570"`, `<table:table-cell table:number-columns-repeated="1024"/>`)),
		odsSheet("A", odsHeader) + odsSheet("B", odsHeader, odsRow("", `<table:table-cell office:value-type="string"><office:annotation><text:p>n</text:p></office:annotation><text:p>x<text:s text:c="3"/>y</text:p><text:p>z</text:p></table:table-cell>`)),
		odsSheet("S", odsHeader, odsRow("", `<table:covered-table-cell/>`, `<table:table-cell office:value-type="time" office:time-value="PT14H30M00S"/>`, `<table:table-cell office:value-type="boolean" office:boolean-value="true"/>`)),
	}
	for _, s := range seeds {
		f.Add([]byte(head + s + tail))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		data := makeZip(t, zipEntry{name: "mimetype", data: []byte(odsMimetype)}, zipEntry{name: "content.xml", data: content})
		path := writeFile(t, "fuzz.ods", data)
		r, err := Open(path, Options{MaxCellBytes: 256})
		if err != nil {
			return
		}
		defer r.Close()
		width := len(r.Header())
		// A file may legitimately repeat a row many times: read a few.
		for i := 0; i < 200; i++ {
			row, err := r.Next()
			if err != nil {
				return
			}
			if len(row.Cells) != width {
				t.Fatalf("row %d has %d cells, header %d", row.Number, len(row.Cells), width)
			}
		}
	})
}
