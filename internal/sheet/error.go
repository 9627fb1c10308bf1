package sheet

import "fmt"

// Error is a problem in the tenant's file, worded for the tenant. The CLI
// and the validate step show Error() as it is.
type Error struct {
	Row    int    // the row as the spreadsheet program numbers it (header = 1); 0 for the whole file
	Reason string // what is wrong and, where possible, how to fix it
	// RowOnly is set when only this row is bad and the rest of the file
	// can still be read.
	RowOnly bool
	// Column is the 1-based column the problem is in, 0 when it is not
	// one column's; Title is that column's title, when the header is read.
	Column int
	Title  string
}

func (e *Error) Error() string {
	switch {
	case e.Row > 0 && e.Column > 0 && e.Title != "":
		return fmt.Sprintf("row %d, column %s %q: %s", e.Row, ColumnName(e.Column), e.Title, e.Reason)
	case e.Row > 0 && e.Column > 0:
		return fmt.Sprintf("row %d, column %s: %s", e.Row, ColumnName(e.Column), e.Reason)
	case e.Row > 0:
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return e.Reason
}

func refuse(format string, args ...any) *Error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}

func rowError(row int, format string, args ...any) *Error {
	return &Error{Row: row, Reason: fmt.Sprintf(format, args...)}
}
