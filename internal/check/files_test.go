package check

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/sheet"
)

func file(name string) string { return filepath.Join("..", "..", "testdata", "files", name) }

// customers.csv and what LibreOffice made of it: every format must yield
// exactly these values.
var wantCustomers = []map[string]string{
	{"customer_number": "1001", "name": "Müller GmbH", "postcode": "00184", "city": "Roma",
		"customer_since": "2026-12-31", "revenue": "1234.56", "email": "info@mueller.example"},
	{"customer_number": "1002", "name": "Café Élan SARL", "postcode": "75001", "city": "Paris",
		"customer_since": "2025-01-15", "revenue": "99.5", "email": "contact@elan.example"},
	{"customer_number": "1003", "name": "Łódź Trading Sp. z o.o.", "postcode": "90-001", "city": "Łódź",
		"customer_since": "2024-02-29", "revenue": "0", "email": "biuro@lodz.example"},
	{"customer_number": "1004", "name": "Smith, Jones & Co", "postcode": "02139", "city": "Cambridge",
		"customer_since": "2023-07-04", "revenue": "-15.25", "email": "sales@smithjones.example"},
}

var wantGerman = []map[string]string{
	{"customer_number": "1001", "name": "Müller GmbH", "street": "Königstraße 5", "postcode": "01067", "city": "Dresden",
		"revenue": "1234.56", "customer_since": "2026-12-31"},
	{"customer_number": "1002", "name": "Bäckerei Schäfer", "street": "Große Gasse 12", "postcode": "80331", "city": "München",
		"revenue": "987", "customer_since": "2025-02-01"},
	{"customer_number": "1003", "name": "Öko-Gärtner KG", "street": "Weißdornweg 3", "postcode": "20095", "city": "Hamburg",
		"revenue": "12345678.9", "customer_since": "2024-02-29"},
}

func TestRunReadsEveryValueOfRealFiles(t *testing.T) {
	german := `{"version": 1, "entity": "customers", "locale": "de-DE"}`
	tests := []struct {
		file   string
		config string
		sheet  string
		info   sheet.Info
		want   []map[string]string
	}{
		{"customers.csv", "", "", sheet.Info{Format: "csv", Encoding: "utf-8", Delimiter: ","}, wantCustomers},
		{"customers.xlsx", "", "", sheet.Info{Format: "xlsx"}, wantCustomers},
		{"customers.ods", "", "", sheet.Info{Format: "ods"}, wantCustomers},
		{"customers-utf16.txt", "", "", sheet.Info{Format: "csv", Encoding: "utf-16le", Delimiter: "\t"}, wantCustomers},
		{"two-sheets.xlsx", "", "Customers", sheet.Info{Format: "xlsx", Sheet: "Customers"}, wantCustomers},
		{"two-sheets.ods", "", "Customers", sheet.Info{Format: "ods", Sheet: "Customers"}, wantCustomers},
		{"customers-de.csv", german, "", sheet.Info{Format: "csv", Encoding: "utf-8", Delimiter: ";"}, wantGerman},
		{"customers-cp1252-semicolon.csv", german, "", sheet.Info{Format: "csv", Encoding: "windows-1252", Delimiter: ";"}, wantGerman},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			opts := Options{Entity: "customers", Sheet: sheet.Options{Sheet: tt.sheet}}
			if tt.config != "" {
				c, err := config.Parse([]byte(tt.config))
				if err != nil {
					t.Fatal(err)
				}
				opts.Config = c
			}
			var got []map[string]string
			rep, err := Run(context.Background(), file(tt.file), opts, func(r crm.Row) error {
				if len(r.Errors) > 0 {
					t.Errorf("row %d: %v", r.Number, r.Errors)
				}
				if r.Number != len(got)+2 {
					t.Errorf("row number %d, want %d", r.Number, len(got)+2)
				}
				got = append(got, r.Fields)
				return nil
			})
			if err != nil {
				t.Fatalf("Run(%s) error: %v", tt.file, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Run(%s) fields =\n%v\nwant\n%v", tt.file, got, tt.want)
			}
			if rep.Rows != len(tt.want) || rep.RowsWithErrors != 0 || len(rep.Unmapped) != 0 {
				t.Errorf("Run(%s) rows %d, with errors %d, unmapped %q; want %d, 0, none", tt.file, rep.Rows, rep.RowsWithErrors, rep.Unmapped, len(tt.want))
			}
			if rep.File.Format != tt.info.Format || rep.File.Encoding != tt.info.Encoding ||
				rep.File.Delimiter != tt.info.Delimiter || (tt.info.Sheet != "" && rep.File.Sheet != tt.info.Sheet) {
				t.Errorf("Run(%s) file = %+v, want %+v", tt.file, rep.File, tt.info)
			}
		})
	}
}

func TestUnambiguousValuesReadRightWhateverTheLocale(t *testing.T) {
	// The German file under the default en-US locale: "1.234,56" and
	// "31.12.2026" can only mean one thing, so the locale does not matter.
	var got []map[string]string
	_, err := Run(context.Background(), file("customers-cp1252-semicolon.csv"), Options{Entity: "customers"}, func(r crm.Row) error {
		if len(r.Errors) > 0 {
			t.Errorf("row %d: %v", r.Number, r.Errors)
		}
		got = append(got, r.Fields)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantGerman) {
		t.Errorf("fields =\n%v\nwant\n%v", got, wantGerman)
	}
}

func TestRunRefusesAWorkbookWithSeveralSheetsUnnamed(t *testing.T) {
	_, err := Run(context.Background(), file("two-sheets.xlsx"), Options{Entity: "customers"}, func(crm.Row) error { return nil })
	if crm.KindOf(err) != crm.Invalid || !strings.Contains(err.Error(), "Contacts") {
		t.Errorf("Run(two-sheets.xlsx) error = %v, want a refusal naming the sheets", err)
	}
}

// A missing file says nothing about a tenant's file: it is the caller's
// mistake, not a refusal, and the path is named once.
func TestRunSaysAMissingFileIsMissing(t *testing.T) {
	path := file("no-such-file.csv")
	_, err := Run(context.Background(), path, Options{Entity: "customers"}, func(crm.Row) error { return nil })
	if !errors.Is(err, fs.ErrNotExist) || crm.KindOf(err) == crm.Invalid || strings.Count(err.Error(), path) != 1 {
		t.Errorf("Run(missing file) error = %v, want fs.ErrNotExist naming the path once, not a refusal", err)
	}
}

// A quote inside a CSV value that does not start with one is read as
// written, as spreadsheet programs read it, and the report says where.
func TestRunReadsBareQuotesAndWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "products.csv")
	if err := os.WriteFile(path, []byte("Name,City\nMonitor 27\" GmbH,Köln\nHotel 37°36'37.8\"N,Moskva\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var names []string
	rep, err := Run(context.Background(), path, Options{Entity: "customers"}, func(r crm.Row) error {
		names = append(names, r.Fields["name"])
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if want := []string{`Monitor 27" GmbH`, `Hotel 37°36'37.8"N`}; !reflect.DeepEqual(names, want) {
		t.Errorf("Run() names = %q, want %q", names, want)
	}
	want := []string{
		`row 2, column A "Name": the value ‘Monitor 27" GmbH’ holds a quote (") but does not start with one, so the quote is read as part of the value, as spreadsheet programs read it; if it was meant to enclose the value, put the whole value in quotes`,
		`row 3, column A "Name": the value ‘Hotel 37°36'37.8"N’ holds a quote (") but does not start with one, so the quote is read as part of the value, as spreadsheet programs read it; if it was meant to enclose the value, put the whole value in quotes`,
	}
	if !reflect.DeepEqual(rep.Warnings, want) || rep.RowsWithErrors != 0 {
		t.Errorf("Run() warnings = %q, %d rows with errors, want %q, 0", rep.Warnings, rep.RowsWithErrors, want)
	}
}
