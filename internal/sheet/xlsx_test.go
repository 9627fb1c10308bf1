package sheet

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Cell kinds that the LibreOffice fixtures do not have, in a workbook
// written by excelize.
func TestXLSXCellKinds(t *testing.T) {
	f := excelize.NewFile()
	style := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	custom := func(code string) excelize.Style { return excelize.Style{CustomNumFmt: &code} }
	cells := []struct {
		title string
		value any
		style int
		want  Cell
	}{
		{"date-time", 46387.604166666664, style(custom("DD.MM.YYYY hh:mm")), Cell{Kind: Date, Text: "2026-12-31T14:30:00", Time: time.Date(2026, 12, 31, 14, 30, 0, 0, time.UTC)}},
		{"built-in date", 46387.0, style(excelize.Style{NumFmt: 14}), Cell{Kind: Date, Text: "2026-12-31", Time: day(2026, 12, 31)}},
		{"time only", 0.75, style(custom("hh:mm")), Cell{Kind: Date, Text: "1899-12-30T18:00:00", Time: time.Date(1899, 12, 30, 18, 0, 0, 0, time.UTC)}},
		{"thousands format", 1234567.891, style(custom("#,##0.00 [$€-407]")), Cell{Kind: Number, Text: "1234567.891", Number: 1234567.891}},
		{"percent", 0.15, style(excelize.Style{NumFmt: 9}), Cell{Kind: Number, Text: "0.15", Number: 0.15}},
		{"long number", 49301234567.0, 0, Cell{Kind: Number, Text: "49301234567", Number: 49301234567}},
		{"text with zeros", "007", style(excelize.Style{NumFmt: 49}), Cell{Kind: Text, Text: "007"}},
		{"number-like text in a text column", "75001", style(excelize.Style{NumFmt: 49}), Cell{Kind: Text, Text: "75001"}},
		{"number in a text column", 75001, style(excelize.Style{NumFmt: 49}), Cell{Kind: Number, Text: "75001", Number: 75001}},
		{"text in a date column", "soon", style(custom("yyyy-mm-dd")), Cell{Kind: Text, Text: "soon"}},
		{"text like a date", "2026-12-31", 0, Cell{Kind: Text, Text: "2026-12-31"}},
		{"decimal comma text", "1,5", 0, Cell{Kind: Text, Text: "1,5"}},
		{"negative in a date format", -3.0, style(custom("yyyy-mm-dd")), Cell{Kind: Number, Text: "-3", Number: -3}},
	}
	for i, c := range cells {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetCellValue("Sheet1", col+"1", c.title)
		f.SetCellValue("Sheet1", col+"2", c.value)
		if c.style != 0 {
			f.SetCellStyle("Sheet1", col+"2", col+"2", c.style)
		}
	}
	path := filepath.Join(t.TempDir(), "kinds.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer r.Close()
	_, rows := readAll(t, r)
	if len(rows) != 1 {
		t.Fatalf("read %d rows, want 1", len(rows))
	}
	for i, c := range cells {
		got := rows[0].Cells[i]
		if got.Kind != c.want.Kind || got.Text != c.want.Text || got.Number != c.want.Number || !got.Time.Equal(c.want.Time) {
			t.Errorf("%s: cell = %+v, want %+v", c.title, got, c.want)
		}
	}
}

func TestIsPlainNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"0", true}, {"184", true}, {"-15.25", true}, {"0.000001", true}, {"1.23456789012346E+16", true}, {"1E-7", true},
		{"00184", false}, {"01", false}, {"", false}, {"-", false}, {"1.", false}, {".5", false}, {"1,5", false},
		{"+1", false}, {"1E", false}, {" 1", false}, {"1e+", false}, {"12a", false},
	}
	for _, tt := range tests {
		if got := isPlainNumber(tt.in); got != tt.want {
			t.Errorf("isPlainNumber(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
