package sheet

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// odsWith builds an ODS whose single sheet has the given rows, each a
// string of table:table-row XML. These are damaged or hostile files made
// by the test; the well-formed ones under testdata/files come from
// LibreOffice.
func odsWith(t *testing.T, rows ...string) string {
	t.Helper()
	return odsBook(t, odsSheet("Sheet1", rows...))
}

func odsSheet(name string, rows ...string) string {
	return `<table:table table:name="` + name + `">` + strings.Join(rows, "") + `</table:table>`
}

func odsBook(t *testing.T, sheets ...string) string {
	t.Helper()
	content := `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">
<office:body><office:spreadsheet>` + strings.Join(sheets, "") + `</office:spreadsheet></office:body></office:document-content>`
	data := makeZip(t,
		zipEntry{name: "mimetype", data: []byte(odsMimetype)},
		zipEntry{name: "content.xml", data: []byte(content)},
	)
	return writeFile(t, "book.ods", data)
}

func odsRow(attrs string, cells ...string) string {
	return "<table:table-row " + attrs + ">" + strings.Join(cells, "") + "</table:table-row>"
}

func odsText(s string) string {
	return `<table:table-cell office:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`
}

var odsHeader = odsRow("", odsText("Name"), odsText("City"))

func TestODSRepeats(t *testing.T) {
	tests := []struct {
		name    string
		rows    []string
		want    [][]string
		numbers []int
		err     string
	}{
		{
			name: "a billion trailing empty rows and columns cost nothing",
			rows: []string{
				odsHeader,
				odsRow("", odsText("A"), odsText("B"), `<table:table-cell table:number-columns-repeated="1000000000"/>`),
				odsRow(`table:number-rows-repeated="1000000000"`, `<table:table-cell table:number-columns-repeated="1000000000"/>`),
			},
			want:    [][]string{{"A", "B"}},
			numbers: []int{2},
		},
		{
			name: "empty rows between data are counted in row numbers",
			rows: []string{
				odsHeader,
				odsRow(`table:number-rows-repeated="5"`, `<table:table-cell/>`),
				odsRow("", odsText("A"), odsText("B")),
			},
			want:    [][]string{{"A", "B"}},
			numbers: []int{7},
		},
		{
			name: "a repeated row with values is read as that many rows",
			rows: []string{
				odsHeader,
				odsRow(`table:number-rows-repeated="3"`, odsText("A"), odsText("B")),
				odsRow("", odsText("C"), odsText("D")),
			},
			want:    [][]string{{"A", "B"}, {"A", "B"}, {"A", "B"}, {"C", "D"}},
			numbers: []int{2, 3, 4, 5},
		},
		{
			name: "repeated and covered cells keep their columns",
			rows: []string{
				odsHeader,
				odsRow("", `<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell>`),
				odsRow("", `<table:covered-table-cell/>`, odsText("x")),
			},
			want:    [][]string{{"7", "7"}, {"", "x"}},
			numbers: []int{2, 3},
		},
		{
			name: "a value after a billion empty columns is refused",
			rows: []string{
				odsHeader,
				odsRow("", `<table:table-cell table:number-columns-repeated="1000000000"/>`, odsText("x")),
			},
			err: "row 2: has values beyond column 16384, more than a spreadsheet can hold; it may be damaged: save it again",
		},
		{
			name: "repeats that would make billions of cells are refused",
			rows: []string{
				odsRow("", `<table:table-cell table:number-columns-repeated="10000" office:value-type="float" office:value="1"/>`),
				odsRow(`table:number-rows-repeated="1000000"`, `<table:table-cell table:number-columns-repeated="10000" office:value-type="float" office:value="2"/>`),
			},
			err: "row 2: the sheet repeats rows or cells with values more than 10000000 times in all; it may be damaged: save it again",
		},
		{
			name: "a row with values repeated beyond the last row is refused",
			rows: []string{
				odsHeader,
				odsRow("", odsText("A"), odsText("B")),
				odsRow(`table:number-rows-repeated="2000000000"`, odsText("C")),
			},
			want:    [][]string{{"A", "B"}},
			numbers: []int{2},
			err:     "row 3: the sheet has more than 1048576 rows, more than a spreadsheet can hold; it may be damaged: save it again",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, numbers, err := readODS(t, odsWith(t, tt.rows...), Options{})
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(numbers, tt.numbers) || fmt.Sprint(err) != fmt.Sprint(errOrNil(tt.err)) {
				t.Errorf("read %q rows %v err %v, want %q rows %v err %q", got, numbers, err, tt.want, tt.numbers, tt.err)
			}
		})
	}
}

func errOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// readODS reads all rows, stopping at the first error.
func readODS(t *testing.T, path string, opts Options) ([][]string, []int, error) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	var numbers []int
	for {
		row, err := r.Next()
		if err != nil {
			if err.Error() == "EOF" {
				return rows, numbers, nil
			}
			return rows, numbers, err
		}
		var cells []string
		for _, c := range row.Cells {
			cells = append(cells, c.Text)
		}
		rows = append(rows, cells)
		numbers = append(numbers, row.Number)
	}
}

func TestODSCellText(t *testing.T) {
	path := odsWith(t,
		odsRow("", odsText("Name"), odsText("Note"), odsText("When")),
		odsRow("",
			odsText(`Anna <text:span>Rossi</text:span>`),
			`<table:table-cell office:value-type="string"><office:annotation><text:p>a comment</text:p></office:annotation><text:p>two<text:s text:c="3"/>spaces</text:p><text:p>second line</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="time" office:time-value="PT14H30M00S"><text:p>14:30</text:p></table:table-cell>`,
		),
		odsRow("",
			`<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>WAHR</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="percentage" office:value="0.15"><text:p>15%</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="date" office:date-value="2026-12-31T08:15:00"><text:p>31.12.26 08:15</text:p></table:table-cell>`,
		),
	)
	got, _, err := readODS(t, path, Options{})
	want := [][]string{
		{"Anna Rossi", "two   spaces\nsecond line", "1899-12-30T14:30:00"},
		{"TRUE", "0.15", "2026-12-31T08:15:00"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("read %q, %v; want %q", got, err, want)
	}
}

func TestODSCellOverLimit(t *testing.T) {
	path := odsWith(t, odsHeader, odsRow("", odsText(strings.Repeat("x", 5000)), odsText("B")))
	_, err := Open(path, Options{MaxCellBytes: 1000})
	var e *Error
	if !errors.As(err, &e) || e.Row != 2 {
		t.Errorf("Open() = %v, want *Error on row 2", err)
	}
}

// Skipping a sheet far larger than a cell's limit must not trip the limit.
func TestODSSkipsLargeSheets(t *testing.T) {
	big := []string{odsHeader}
	for i := 0; i < 2000; i++ {
		big = append(big, odsRow("", odsText(fmt.Sprint("name ", i)), odsText("city")))
	}
	path := odsBook(t, odsSheet("Big", big...), odsSheet("Small", odsHeader, odsRow("", odsText("A"), odsText("B"))))
	opts := Options{MaxCellBytes: 64}
	_, err := Open(path, opts)
	want := `the workbook has several sheets with data ("Big", "Small"); all rows must be on one sheet: choose the sheet to import`
	if err == nil || err.Error() != want {
		t.Errorf("Open() = %v, want %q", err, want)
	}
	opts.Sheet = "Small"
	got, _, err := readODS(t, path, opts)
	if err != nil || !reflect.DeepEqual(got, [][]string{{"A", "B"}}) {
		t.Errorf("read sheet Small = %q, %v; want [[A B]]", got, err)
	}
}
