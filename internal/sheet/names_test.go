package sheet

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestColumnName(t *testing.T) {
	tests := map[int]string{
		0: "", 1: "A", 2: "B", 26: "Z", 27: "AA", 28: "AB", 702: "ZZ", 703: "AAA",
		16384: "XFD", // the last column of a workbook
		16385: "XFE", // only a CSV file goes this far
	}
	for in, want := range tests {
		if got := ColumnName(in); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnNameIsExcelizesWithinAWorkbook(t *testing.T) {
	for n := excelize.MinColumns; n <= excelize.MaxColumns; n++ {
		want, err := excelize.ColumnNumberToName(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := ColumnName(n); got != want {
			t.Fatalf("ColumnName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestQuoteNames(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"none", nil, ""},
		{"one", []string{"Sheet1"}, `"Sheet1"`},
		{"several, in order", []string{"Kunden", "Tabelle 2"}, `"Kunden", "Tabelle 2"`},
		{"a blank title stays visible", []string{"Name", ""}, `"Name", ""`},
		{"quotes are escaped, letters kept", []string{`Größe "cm"`}, `"Größe \"cm\""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := QuoteNames(tt.names); got != tt.want {
				t.Errorf("QuoteNames(%q) = %s, want %s", tt.names, got, tt.want)
			}
		})
	}
}
