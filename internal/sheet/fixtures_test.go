package sheet

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The files under testdata/files are made by LibreOffice Calc (see
// make.sh there); these tests check every value read from them.

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "files", name) }

// readAll returns the header and rows of a reader, failing on any error.
func readAll(t *testing.T, r Reader) ([]string, []Row) {
	t.Helper()
	var rows []Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r.Header(), rows
		}
		if err != nil {
			t.Fatalf("Next() after %d rows: %v", len(rows), err)
		}
		rows = append(rows, row)
	}
}

func texts(rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, c := range r.Cells {
			out[i] = append(out[i], c.Text)
		}
	}
	return out
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var customersHeader = []string{"Customer number", "Name", "Postcode", "City", "Customer since", "Revenue", "Email"}

var customersText = [][]string{
	{"1001", "Müller GmbH", "00184", "Roma", "2026-12-31", "1234.56", "info@mueller.example"},
	{"1002", "Café Élan SARL", "75001", "Paris", "2025-01-15", "99.5", "contact@elan.example"},
	{"1003", "Łódź Trading Sp. z o.o.", "90-001", "Łódź", "2024-02-29", "0", "biuro@lodz.example"},
	{"1004", "Smith, Jones & Co", "02139", "Cambridge", "2023-07-04", "-15.25", "sales@smithjones.example"},
}

var customersDates = []time.Time{day(2026, 12, 31), day(2025, 1, 15), day(2024, 2, 29), day(2023, 7, 4)}
var customersRevenue = []float64{1234.56, 99.5, 0, -15.25}

func TestWorkbookFixtures(t *testing.T) {
	tests := []struct {
		file  string
		sheet string
		info  Info
	}{
		{"customers.xlsx", "", Info{Format: "xlsx", Sheet: "customers", Sheets: []string{"customers"}}},
		{"customers.ods", "", Info{Format: "ods", Sheet: "customers", Sheets: []string{"customers"}}},
		{"two-sheets.xlsx", "Customers", Info{Format: "xlsx", Sheet: "Customers", Sheets: []string{"Customers", "Contacts", "Notes"}}},
		{"two-sheets.ods", "Customers", Info{Format: "ods", Sheet: "Customers", Sheets: []string{"Customers", "Contacts", "Notes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := Open(fixture(tt.file), Options{Sheet: tt.sheet})
			if err != nil {
				t.Fatalf("Open(%s) = %v", tt.file, err)
			}
			defer r.Close()
			if got := r.Info(); !reflect.DeepEqual(got, tt.info) {
				t.Errorf("Info() = %+v, want %+v", got, tt.info)
			}
			header, rows := readAll(t, r)
			if !reflect.DeepEqual(header, customersHeader) {
				t.Errorf("Header() = %q, want %q", header, customersHeader)
			}
			if got := texts(rows); !reflect.DeepEqual(got, customersText) {
				t.Errorf("rows = %q, want %q", got, customersText)
			}
			for i, row := range rows {
				if row.Number != i+2 {
					t.Errorf("row %d: Number = %d, want %d", i, row.Number, i+2)
				}
				since := row.Cells[4]
				if since.Kind != Date || !since.Time.Equal(customersDates[i]) {
					t.Errorf("row %d: Customer since = %v %v, want a Date cell %v", row.Number, since.Kind, since.Time, customersDates[i])
				}
				revenue := row.Cells[5]
				if revenue.Kind != Number || revenue.Number != customersRevenue[i] {
					t.Errorf("row %d: Revenue = %v %v, want a Number cell %v", row.Number, revenue.Kind, revenue.Number, customersRevenue[i])
				}
				if id := row.Cells[0]; id.Kind != Number || id.Number != float64(1001+i) {
					t.Errorf("row %d: Customer number = %v %v, want a Number cell %d", row.Number, id.Kind, id.Number, 1001+i)
				}
			}
			// The postcode column holds text cells: leading zeros survive,
			// and 75001 stays text too.
			for i, row := range rows {
				if pc := row.Cells[2]; pc.Kind != Text || pc.Text != customersText[i][2] {
					t.Errorf("row %d: postcode = %v %q, want Text %q", row.Number, pc.Kind, pc.Text, customersText[i][2])
				}
			}
		})
	}
}

func TestWorkbookSecondSheet(t *testing.T) {
	for _, file := range []string{"two-sheets.xlsx", "two-sheets.ods"} {
		t.Run(file, func(t *testing.T) {
			// Sheet names match without regard to case, as tenants type them.
			r, err := Open(fixture(file), Options{Sheet: "contacts"})
			if err != nil {
				t.Fatalf("Open(%s, contacts) = %v", file, err)
			}
			defer r.Close()
			header, rows := readAll(t, r)
			wantHeader := []string{"First name", "Last name", "Email", "Company"}
			want := [][]string{
				{"Anna", "Rossi", "anna.rossi@example.it", "Müller GmbH"},
				{"Jürgen", "Weiß", "j.weiss@example.de", "Bäckerei Schäfer"},
			}
			if !reflect.DeepEqual(header, wantHeader) || !reflect.DeepEqual(texts(rows), want) {
				t.Errorf("read %q %q, want %q %q", header, texts(rows), wantHeader, want)
			}
			if got := r.Info().Sheet; got != "Contacts" {
				t.Errorf("Info().Sheet = %q, want %q", got, "Contacts")
			}
		})
	}
}

func TestWorkbookSheetChoice(t *testing.T) {
	const several = `the workbook has several sheets with data ("Customers", "Contacts"); all rows must be on one sheet: choose the sheet to import`
	const missing = `the workbook has no sheet "Kunden"; its sheets are "Customers", "Contacts", "Notes"`
	tests := []struct {
		file, sheet, want string
	}{
		{"two-sheets.xlsx", "", several},
		{"two-sheets.ods", "", several},
		{"two-sheets.xlsx", "Kunden", missing},
		{"two-sheets.ods", "Kunden", missing},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.sheet, func(t *testing.T) {
			_, err := Open(fixture(tt.file), Options{Sheet: tt.sheet})
			var e *Error
			if !errors.As(err, &e) || e.Error() != tt.want {
				t.Errorf("Open(%s, %q) = %v, want *Error %q", tt.file, tt.sheet, err, tt.want)
			}
		})
	}
}

func TestTextFixtures(t *testing.T) {
	tests := []struct {
		file   string
		info   Info
		header []string
		rows   [][]string
	}{
		{
			file:   "customers-utf16.txt",
			info:   Info{Format: "csv", Encoding: "utf-16le", Delimiter: "\t"},
			header: customersHeader,
			rows:   customersText,
		},
		{
			file:   "customers-cp1252-semicolon.csv",
			info:   Info{Format: "csv", Encoding: "windows-1252", Delimiter: ";"},
			header: []string{"Kundennummer", "Firma", "Straße", "PLZ", "Ort", "Umsatz", "Kunde seit"},
			rows: [][]string{
				{"1001", "Müller GmbH", "Königstraße 5", "01067", "Dresden", "1.234,56", "31.12.2026"},
				{"1002", "Bäckerei Schäfer", "Große Gasse 12", "80331", "München", "987,00", "01.02.2025"},
				{"1003", "Öko-Gärtner KG", "Weißdornweg 3", "20095", "Hamburg", "12.345.678,90", "29.02.2024"},
			},
		},
		{
			file:   "customers.csv",
			info:   Info{Format: "csv", Encoding: "utf-8", Delimiter: ","},
			header: customersHeader,
			rows:   customersText,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := Open(fixture(tt.file), Options{})
			if err != nil {
				t.Fatalf("Open(%s) = %v", tt.file, err)
			}
			defer r.Close()
			if got := r.Info(); !reflect.DeepEqual(got, tt.info) {
				t.Errorf("Info() = %+v, want %+v", got, tt.info)
			}
			header, rows := readAll(t, r)
			if !reflect.DeepEqual(header, tt.header) {
				t.Errorf("Header() = %q, want %q", header, tt.header)
			}
			if got := texts(rows); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows = %q, want %q", got, tt.rows)
			}
			for _, row := range rows {
				for _, c := range row.Cells {
					if c.Kind != Text {
						t.Errorf("row %d: %q has Kind %v, want Text: CSV values are text", row.Number, c.Text, c.Kind)
					}
				}
			}
		})
	}
}

func TestEncodingOverride(t *testing.T) {
	// Read as UTF-8, the Windows-1252 file must not produce mojibake: it
	// is refused at the first row with a byte that is not UTF-8.
	r, err := Open(fixture("customers-cp1252-semicolon.csv"), Options{Encoding: "utf-8"})
	if err == nil {
		_, err = r.Next()
		r.Close()
	}
	var e *Error
	if !errors.As(err, &e) || e.Row != 1 {
		t.Fatalf("Open(cp1252 file, utf-8) = %v, want *Error on row 1", err)
	}
	// The tenant's iso-8859-15 reads the same letters.
	r, err = Open(fixture("customers-cp1252-semicolon.csv"), Options{Encoding: "ISO-8859-15"})
	if err != nil {
		t.Fatalf("Open(cp1252 file, iso-8859-15) = %v", err)
	}
	defer r.Close()
	_, rows := readAll(t, r)
	if got := rows[0].Cells[1].Text; got != "Müller GmbH" {
		t.Errorf("Firma = %q, want %q", got, "Müller GmbH")
	}
	if got := r.Info().Encoding; got != "iso-8859-15" {
		t.Errorf("Info().Encoding = %q, want %q", got, "iso-8859-15")
	}
}
