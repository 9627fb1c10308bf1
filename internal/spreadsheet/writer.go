// Package spreadsheet writes rows of text cells as CSV, XLSX or ODS, one
// row at a time: an export of a hundred thousand records never sits in
// memory as a whole (the workbooks' rows go to temporary files until the
// file is closed).
package spreadsheet

import (
	"fmt"
	"io"
	"strings"
)

// The formats a Writer writes.
const (
	CSV  = "csv"
	XLSX = "xlsx"
	ODS  = "ods"
)

// Formats lists them, for messages.
var Formats = []string{CSV, XLSX, ODS}

// ContentType is each format's media type.
var ContentType = map[string]string{
	CSV:  "text/csv; charset=utf-8",
	XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	ODS:  "application/vnd.oasis.opendocument.spreadsheet",
}

// Writer writes rows; Close finishes the file, which is complete only then.
type Writer interface {
	Write(cells []string) error
	Close() error
}

// New returns a writer of format to w; sheet names the workbook's sheet.
func New(format string, w io.Writer, sheet string) (Writer, error) {
	switch format {
	case CSV:
		return newCSV(w)
	case XLSX:
		return newXLSX(w, sheet)
	case ODS:
		return newODS(w, sheet)
	}
	return nil, fmt.Errorf("unknown format %q: choose %s", format, strings.Join(Formats, ", "))
}
