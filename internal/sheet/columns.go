package sheet

import "fmt"

// maxColumns is the most columns a row may have. It is Excel's own limit
// (column XFD), which LibreOffice also has since 7.4: no file a tenant's
// spreadsheet program saved or can open has more, and an entity has a few
// dozen fields, so columns past it can never be mapped. It also sizes the
// memory of a row: rows are as wide as the header, and 16,384 cells take
// about 0.9 MB, which the check's look-ahead and batches are budgeted for.
// Readers keep no cell past it, whatever the file holds.
const maxColumns = 1 << 14

// wideRow is what a source returns with a row that has values past
// maxColumns; the row holds only its first maxColumns cells. The table
// words it: a header that wide is refused, a data row that wide is a row
// error.
type wideRow struct {
	width  int    // columns up to the row's last value
	column int    // the first column past maxColumns that holds a value (1-based)
	value  string // that value, clipped
}

func (w *wideRow) Error() string {
	return fmt.Sprintf("%d columns, more than the %d a sheet can have", w.width, maxColumns)
}

// lastValue returns how many of texts there are up to the last non-empty
// one, so that trailing empty cells are dropped before cells are made.
func lastValue(texts []string, empty func(string) bool) int {
	n := len(texts)
	for n > 0 && empty(texts[n-1]) {
		n--
	}
	return n
}
