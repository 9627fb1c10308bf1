package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type zipEntry struct {
	name string
	data []byte
	// claimed, when set, is written as the entry's size instead of the
	// real one, as a hand-made zip bomb can.
	claimed uint64
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.claimed == 0 {
			w, err := zw.Create(e.name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, UncompressedSize64: e.claimed, CompressedSize64: uint64(len(e.data))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipEntries reads every entry of a fixture, to build variants of it.
func zipEntries(t testing.TB, path string) []zipEntry {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var out []zipEntry
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out = append(out, zipEntry{name: f.Name, data: b})
	}
	return out
}

func TestOpenRefuses(t *testing.T) {
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	tests := []struct {
		name string
		file string
		data []byte
		opts Options
		want string
	}{
		{"legacy xls", "customers.xls", ole, Options{}, "this is an Excel 97-2003 (.xls) workbook or a password-protected one, which cannot be read; open it in your spreadsheet program and save it without a password as Excel Workbook (.xlsx) or CSV"},
		{"random bytes under a csv name", "customers.csv", random, Options{}, "the file holds binary data, not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX"},
		{"a PNG under a csv name", "customers.csv", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), random...), Options{}, "the file holds binary data (image/png), not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX"},
		{"a web page saved as xls", "export.xls", []byte("<html><body><table><tr><td>Name</td></tr></table></body></html>"), Options{}, "the file is a web page (HTML), not a spreadsheet; save the data from your spreadsheet program as CSV or XLSX"},
		{"text renamed to xlsx", "customers.xlsx", []byte("Name,City\nA,B\n"), Options{}, "the file is not a valid XLSX workbook: it may be damaged, or another kind of file renamed; open it in your spreadsheet program and save it again"},
		{"a zip that is not a workbook", "customers.xlsx", makeZip(t, zipEntry{name: "readme.txt", data: []byte("hello")}), Options{}, "the file is a zip archive but not an XLSX or ODS workbook; save the data from your spreadsheet program as XLSX, ODS or CSV"},
		{"an ODS asked to be read as XLSX", "customers.ods", mustRead(t, fixture("customers.ods")), Options{Format: "xlsx"}, "the file is ODS, not XLSX"},
		{
			"an XLSX bomb that says how big it is",
			"bomb.xlsx",
			makeZip(t, append(zipEntries(t, fixture("customers.xlsx")), zipEntry{name: "xl/media/image1.png", data: make([]byte, 1024), claimed: 20 << 30})...),
			Options{},
			"the workbook unpacks to more than 1 GiB, more than an import can hold; it may be damaged: split it, or save it as CSV",
		},
		{
			"an XLSX bomb under a lower limit",
			"bomb.xlsx",
			makeZip(t, append(zipEntries(t, fixture("customers.xlsx")), zipEntry{name: "xl/worksheets/sheet2.xml", data: make([]byte, 8<<20)})...),
			Options{MaxUnpackedSize: 4 << 20},
			"the workbook unpacks to more than 4 MiB, more than an import can hold; it may be damaged: split it, or save it as CSV",
		},
		{
			"an ODS bomb",
			"bomb.ods",
			makeZip(t, append(zipEntries(t, fixture("customers.ods")), zipEntry{name: "Pictures/big.png", data: make([]byte, 1024), claimed: 20 << 30})...),
			Options{},
			"the workbook unpacks to more than 1 GiB, more than an import can hold; it may be damaged: split it, or save it as CSV",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(writeFile(t, tt.file, tt.data), tt.opts)
			if err == nil {
				r.Close()
			}
			var e *Error
			if !errors.As(err, &e) || e.Error() != tt.want {
				t.Errorf("Open(%s) = %v, want *Error %q", tt.name, err, tt.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenCSVUnderOtherNames(t *testing.T) {
	// Excel's "Unicode text" is saved as .txt; some programs save CSV
	// as .xls. Text content is read as CSV whatever the name.
	for _, name := range []string{"export.txt", "export.xls", "export"} {
		r, err := Open(writeFile(t, name, []byte("Name\tCity\nMüller\tKöln\n")), Options{})
		if err != nil {
			t.Fatalf("Open(%s) = %v", name, err)
		}
		_, rows := readAll(t, r)
		r.Close()
		if got := texts(rows); len(got) != 1 || got[0][0] != "Müller" || got[0][1] != "Köln" {
			t.Errorf("Open(%s) rows = %q, want [[Müller Köln]]", name, got)
		}
	}
}

func TestWorkbookWithoutDataRows(t *testing.T) {
	tests := []struct {
		name string
		rows [][]any
		want string
	}{
		{"header only", [][]any{{"Name", "City"}}, "the file has column titles but no data rows"},
		{"no cells at all", nil, `the workbook is empty: none of its sheets ("Sheet1") holds data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := excelize.NewFile()
			for i, row := range tt.rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				f.SetSheetRow("Sheet1", cell, &row)
			}
			path := filepath.Join(t.TempDir(), "book.xlsx")
			if err := f.SaveAs(path); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, Options{})
			var e *Error
			if !errors.As(err, &e) || e.Error() != tt.want {
				t.Errorf("Open() = %v, want *Error %q", err, tt.want)
			}
		})
	}
}

func TestXLSXScratchDirIsRemovedOnClose(t *testing.T) {
	tmp := t.TempDir()
	r, err := Open(fixture("customers.xlsx"), Options{TmpDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "sheet-") {
		t.Errorf("scratch dir while reading = %v, want one sheet-* dir", entries)
	}
	readAll(t, r)
	if err := r.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("scratch dir after Close = %v, want empty", entries)
	}
}

func TestOpenRefusesDamagedWorkbooks(t *testing.T) {
	tests := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{
			"xlsx with a broken workbook part",
			"broken.xlsx",
			makeZip(t, zipEntry{name: "[Content_Types].xml", data: []byte("<Types")}, zipEntry{name: "xl/workbook.xml", data: []byte("<workbook><sheets><sheet name=")}),
			"the file is not a readable XLSX workbook (",
		},
		{
			"ods with a broken content part",
			"broken.ods",
			makeZip(t, zipEntry{name: "mimetype", data: []byte(odsMimetype)}, zipEntry{name: "content.xml", data: []byte("<office:document-content><table:table")}),
			"the ODS workbook is damaged (",
		},
		{
			"ods without content",
			"empty.ods",
			makeZip(t, zipEntry{name: "mimetype", data: []byte(odsMimetype)}),
			"the ODS workbook has no content.xml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(writeFile(t, tt.file, tt.data), Options{})
			var e *Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Error(), tt.want) {
				t.Errorf("Open(%s) = %v, want *Error starting %q", tt.name, err, tt.want)
			}
		})
	}
}
