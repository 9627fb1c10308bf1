// Package sheet reads tenants' spreadsheet files (CSV, XLSX, ODS) as a
// stream of rows, whatever program wrote them.
//
// Open picks the format from the content and the file name; OpenCSV reads
// CSV from any io.Reader. Memory stays bounded whatever the file: a CSV
// row or an ODS cell larger than a few times Options.MaxCellBytes is
// refused before it is read whole, no cell past column 16,384 (Excel's
// last, XFD) is kept and a header wider than that is refused, trailing
// empty cells cost nothing, repeated empty ODS rows and columns are
// counted rather than expanded, workbooks that unpack to more than
// Options.MaxUnpackedSize are refused before they are unpacked, and so is
// an XLSX whose table of shared texts holds more than its sheets could
// use.
//
// Problems the tenant must fix come back as *Error, worded for the tenant.
package sheet

import "time"

// Kind says what a spreadsheet cell held, so later steps can tell a date
// cell from text that only looks like one.
type Kind int

const (
	Empty Kind = iota
	Text
	Number
	Date // a date or date-time cell; Cell.Time is set
	Bool
)

// Cell is one value of a row. Text is always set to what the tenant sees
// (for CSV, the decoded field; for XLSX/ODS, the cell's stored text, keeping
// leading zeros of text cells).
//
// In workbooks, number cells have their stored value as Text ("1234.5",
// not the displayed "1.234,50 €") and date cells ISO 8601 ("2026-12-31",
// "2026-12-31T14:30:00"); a time-only cell is a Date on 1899-12-30, as
// spreadsheet programs count. CSV cells are Text or Empty: their meaning
// depends on the tenant's locale. An XLSX text cell in the default cell
// style that holds a plain number such as "75001" reads as a Number with
// the same Text: excelize's streaming iterator does not tell the two apart
// there.
type Cell struct {
	Kind   Kind
	Text   string
	Number float64   // set when Kind == Number
	Time   time.Time // set when Kind == Date
}

// Row is one data row. Number is the row number the tenant sees in their
// spreadsheet program (the header is row 1, so the first data row is 2).
type Row struct {
	Number int
	Cells  []Cell
}

// Info describes what was detected about a file.
type Info struct {
	Format    string   // "csv", "xlsx", "ods"
	Encoding  string   // e.g. "utf-8", "utf-16le", "windows-1252"; empty for xlsx/ods
	Delimiter string   // for CSV: ",", ";", "\t" or "|"
	Sheet     string   // for workbooks: the sheet read
	Sheets    []string // for workbooks: every sheet, in workbook order
}

// Options let the tenant override detection.
type Options struct {
	Format    string // "csv", "xlsx", "ods"; empty = from the file name and content
	Encoding  string // empty = detect
	Delimiter string // empty = detect
	Sheet     string // empty = the only non-empty sheet
	// Locale is the tenant's locale, such as "pl-PL": a hint for telling
	// a Central European CSV file from a Western one when its bytes could
	// be either.
	Locale string
	TmpDir string // scratch space for unpacking workbooks; removed by Close

	// Limits against damaged or hostile files; zero means the default.
	MaxCellBytes    int   // a longer cell is refused (default 1 MiB)
	MaxUnpackedSize int64 // a workbook that unpacks to more is refused (default 1 GiB)
}

// Reader streams the rows of one sheet. Next returns io.EOF after the last
// row. Rows in which every cell is empty are skipped; every row returned
// has exactly as many cells as Header has titles.
//
// Next returns a *Error for a problem the tenant must fix. When its RowOnly
// is set, only that row is bad and Next may be called again; any other
// error ends the stream.
//
// Warnings lists what was read in a way the tenant should check, such as
// a quote inside a CSV value that does not start with one, read as part of
// the value; it is complete once Next has returned io.EOF.
type Reader interface {
	Info() Info
	Header() []string
	Next() (Row, error)
	Warnings() []string
	Close() error
}
