package sheet

import (
	"strconv"
	"strings"
)

// How messages name what the tenant sees in a spreadsheet program: a
// column by its letters, sheets and column titles quoted.

// ColumnName returns the letters of the 1-based column n, as a spreadsheet
// program heads it: 1 is A, 26 Z, 27 AA, 16384 XFD. It is excelize's
// ColumnNumberToName without its limit: a CSV file may have more columns
// than a workbook can hold, and a message about column 16385 still needs a
// name for it.
func ColumnName(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// QuoteNames quotes each name, Go-style, and joins them with ", ": a list
// of sheets or column titles in a message, where a blank or odd name must
// stay visible.
func QuoteNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
