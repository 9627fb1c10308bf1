package check

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// A column is written one way from top to bottom: the cells that can only
// be read one way decide how the others are read, and a cell that can only
// be read the other way is a row error, never a value a thousand times off.
func TestEachColumnIsReadWithOneConvention(t *testing.T) {
	const (
		noLocale = ""
		semi     = ";"
		comma    = ","
	)
	type cell struct {
		value string // canonical value, "" when the row has an error
		err   string // the error's reason, "" when none
	}
	tests := []struct {
		name    string
		locale  string // Options.Locale; "" is the unconfigured default en-US
		delim   string
		column  string // "Revenue" or "Last visit"
		cells   []string
		want    []cell
		warning string // a warning that must be in the report
	}{
		{"a German file without a locale: 2.500,75 proves the comma, so 1.234 is 1234", noLocale, semi, "Revenue",
			[]string{"1.234", "2.500,75"}, []cell{{value: "1234"}, {value: "2500.75"}},
			`column "Revenue" writes numbers with a decimal comma (2.500,75 in row 3), unlike the default locale en-US`},
		{"the proof counts in a comma-separated file too", noLocale, comma, "Revenue",
			[]string{"1.234", "1,5"}, []cell{{value: "1234"}, {value: "1.5"}},
			`column "Revenue" writes numbers with a decimal comma (1,5 in row 3), unlike the default locale en-US: its values are read so`},
		{"a decimal comma in a decimal-point column is an error", noLocale, comma, "Revenue",
			[]string{"0.5", "1.234", "2.500,75"}, []cell{{value: "0.5"}, {value: "1.234"},
				{err: "reads as 2500.75 with a decimal comma, but other rows of this column use a decimal point, such as 0.5 in row 2: correct the value, or set the file's locale"}}, ""},
		{"most cells of the look-ahead decide, not the first", noLocale, comma, "Revenue",
			[]string{"0.5", "1,5", "2,5", "1.234"}, []cell{
				{err: "reads as 0.5 with a decimal point, but other rows of this column use a decimal comma, such as 1,5 in row 3: correct the value, or set the file's locale"},
				{value: "1.5"}, {value: "2.5"}, {value: "1234"}}, "a decimal comma (1,5 in row 3)"},
		{"no proof in a semicolon file without a locale: a decimal comma, said in a warning", noLocale, semi, "Revenue",
			[]string{"1.234", "12"}, []cell{{value: "1234"}, {value: "12"}},
			`values such as 1.234 (row 2) are read with a decimal comma, as the file's ";" separator suggests`},
		{"no proof in a comma-separated file without a locale: the default en-US", noLocale, comma, "Revenue",
			[]string{"1.234"}, []cell{{value: "1.234"}},
			`values such as 1.234 (row 2) are read with a decimal point, as the default locale en-US writes numbers`},
		{"a chosen locale decides where no cell proves anything, whatever the separator", "en-US", semi, "Revenue",
			[]string{"1.234"}, []cell{{value: "1.234"}}, ""},
		{"the file's proof wins over a chosen locale, with a warning", "de-DE", comma, "Revenue",
			[]string{"13.05", "1.234"}, []cell{{value: "13.05"}, {value: "1.234"}},
			`column "Revenue" writes numbers with a decimal point (13.05 in row 2), unlike the locale de-DE: its values are read so`},
		{"25/04/2026 proves day first, so 03/04/2026 is 3 April", noLocale, comma, "Last visit",
			[]string{"03/04/2026", "25/04/2026"}, []cell{{value: "2026-04-03"}, {value: "2026-04-25"}},
			`column "Last visit" writes dates day first (25/04/2026 in row 3), unlike the default locale en-US`},
		{"a dotted date proves day first", noLocale, comma, "Last visit",
			[]string{"01.02.2025", "03/04/2026"}, []cell{{value: "2025-02-01"}, {value: "2026-04-03"}},
			`column "Last visit" writes dates day first (01.02.2025 in row 2)`},
		{"a day-first date in a month-first column is an error", noLocale, comma, "Last visit",
			[]string{"04/25/2026", "03/04/2026", "25/04/2026"}, []cell{{value: "2026-04-25"}, {value: "2026-03-04"},
				{err: "reads as 25 April 2026 with the day first, but other rows of this column write the month first, such as 04/25/2026 in row 2: correct the value, or set the file's locale"}}, ""},
		{"a day that exists in neither order is an ordinary date error", noLocale, comma, "Last visit",
			[]string{"04/25/2026", "31/02/2026"}, []cell{{value: "2026-04-25"},
				{err: "is not a date: there is no month 31 (expected a day like 12/31/2026)"}}, ""},
		{"no proof in a semicolon file without a locale: day first, said in a warning", noLocale, semi, "Last visit",
			[]string{"03/04/2026"}, []cell{{value: "2026-04-03"}},
			`values such as 03/04/2026 (row 2) are read day first, as the file's ";" separator suggests`},
		{"a chosen month-first locale reads 03/04/2026 as 4 March", "en-US", semi, "Last visit",
			[]string{"03/04/2026"}, []cell{{value: "2026-03-04"}}, ""},
		{"a bare number in a text date column is not an Excel serial day", noLocale, comma, "Last visit",
			[]string{"45000"}, []cell{{err: "is not a date: expected a day like 12/31/2026"}}, ""},
		{"a bare number under a German locale", "de-DE", semi, "Last visit",
			[]string{"45000"}, []cell{{err: "is not a date: expected a day like 31.12.2026"}}, ""},
		{"eight digits are a day", noLocale, comma, "Last visit",
			[]string{"20260401"}, []cell{{value: "2026-04-01"}}, ""},
		{"a time of day in a day-only column is an error, not dropped", noLocale, comma, "Last visit",
			[]string{"2026-01-01T10:00"}, []cell{{err: "has a time of day (10:00), but this column holds a day only: remove the time, or map the column to a date-and-time field"}}, ""},
		{"midnight is a day stored as a date-time", noLocale, comma, "Last visit",
			[]string{"2026-01-01T00:00:00"}, []cell{{value: "2026-01-01"}}, ""},
	}
	field := map[string]string{"Revenue": "revenue", "Last visit": "last_visit"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows [][]string
			for _, c := range tt.cells {
				rows = append(rows, []string{"Anna", c})
			}
			r := texts([]string{"Name", tt.column}, rows...)
			r.delim = tt.delim
			rep, recs, err := collect(t, r, Options{Entity: "customers", Locale: tt.locale})
			if err != nil {
				t.Fatal(err)
			}
			var got []cell
			for _, rec := range recs {
				var c cell
				c.value = rec.Fields[field[tt.column]]
				if len(rec.Errors) > 0 {
					c.err = rec.Errors[0].Reason
					if e := rec.Errors[0]; e.Column != tt.column || e.Value != tt.cells[rec.Number-2] {
						t.Errorf("row %d error names column %q, value %q, want %q, %q", rec.Number, e.Column, e.Value, tt.column, tt.cells[rec.Number-2])
					}
				}
				got = append(got, c)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Run(%q) = %+v, want %+v", tt.cells, got, tt.want)
			}
			if rep.LocaleConfigured != (tt.locale != "") {
				t.Errorf("LocaleConfigured = %v with Options.Locale %q", rep.LocaleConfigured, tt.locale)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(rep.Warnings, "\n"), tt.warning) {
				t.Errorf("Run(%q) warnings = %q, want one saying %q", tt.cells, rep.Warnings, tt.warning)
			}
			if tt.warning == "" && len(rep.Warnings) > 0 {
				t.Errorf("Run(%q) warnings = %q, want none", tt.cells, rep.Warnings)
			}
		})
	}
}

// Past the look-ahead a column's convention is fixed: a cell that proves
// the other one is an error that says where the convention came from.
func TestAProofPastTheLookAheadIsAnError(t *testing.T) {
	var rows [][]string
	for i := 0; i < lookAheadRows; i++ {
		rows = append(rows, []string{"Anna", "1.234"})
	}
	rows = append(rows, []string{"Bert", "2.500,75"})
	rep, recs, err := collect(t, texts([]string{"Name", "Revenue"}, rows...), Options{Entity: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != lookAheadRows+1 || recs[0].Fields["revenue"] != "1.234" || recs[lookAheadRows-1].Fields["revenue"] != "1.234" {
		t.Fatalf("records = %d, first %v, want %d read with a decimal point", len(recs), recs[0].Fields, lookAheadRows+1)
	}
	last := recs[lookAheadRows]
	want := "reads as 2500.75 with a decimal comma, but this column is read with a decimal point, as the default locale en-US writes numbers: correct the value, or set the file's locale"
	if len(last.Errors) != 1 || last.Errors[0].Reason != want {
		t.Errorf("row %d errors = %v, want %q", last.Number, last.Errors, want)
	}
	if rep.RowsWithErrors != 1 {
		t.Errorf("RowsWithErrors = %d, want 1", rep.RowsWithErrors)
	}
}

// A column empty throughout the look-ahead is read by the guess; the first
// later value that reads either way says so in a warning, once.
func TestAGuessPastTheLookAheadIsWarnedAbout(t *testing.T) {
	var rows [][]string
	for i := 0; i < lookAheadRows; i++ {
		rows = append(rows, []string{"Anna", ""})
	}
	rows = append(rows, []string{"Bert", "1.234"}, []string{"Carl", "2.345"})
	r := texts([]string{"Name", "Revenue"}, rows...)
	r.delim = ";"
	rep, recs, err := collect(t, r, Options{Entity: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if got := recs[lookAheadRows].Fields["revenue"]; got != "1234" {
		t.Errorf("revenue of row %d = %q, want 1234 (a decimal comma, as the \";\" suggests)", recs[lookAheadRows].Number, got)
	}
	want := []string{`the locale is not configured, and no value in the first rows of column "Revenue" showed how it is written: values such as 1.234 (row 1002) are read as 1234, because this column is read with a decimal comma, as the file's ";" separator suggests (spreadsheet programs write ";" in countries that write a decimal comma and the day first); set the locale if that is wrong`}
	if !reflect.DeepEqual(rep.Warnings, want) {
		t.Errorf("warnings = %q, want %q", rep.Warnings, want)
	}
}

// The look-ahead stops at lookAheadCells: rows as wide as a 16,384-column
// header cost 0.9 MB each, so 1,000 of them would take 0.9 GB.
func TestLearnReadsAheadByCellsToo(t *testing.T) {
	tests := []struct {
		name    string
		columns int
		want    int // rows read ahead
	}{
		{"a narrow file reads lookAheadRows ahead", 12, lookAheadRows},
		{"a 16,384-column file reads as many rows as lookAheadCells holds", 16_384, lookAheadCells / 16_384},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := make([]string, tt.columns)
			header[0] = "Name"
			for i := 1; i < len(header); i++ {
				header[i] = fmt.Sprintf("Column %d", i+1)
			}
			rows := make([][]string, 2*lookAheadRows)
			for i := range rows {
				rows[i] = []string{fmt.Sprintf("Customer %d", i)}
			}
			m := texts(header, rows...)
			c, err := newChecker(parseConfig(t, `{"version": 1, "entity": "customers"}`), header, 0)
			if err != nil {
				t.Fatal(err)
			}
			c.learn(m, false)
			if m.next != tt.want {
				t.Errorf("learn() read %d rows ahead, want %d", m.next, tt.want)
			}
		})
	}
}
