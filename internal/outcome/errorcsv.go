package outcome

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrorCSV writes the error file: one line per problem, with the row, the
// column, the value and the reason. Rows in error, skipped rows and
// conflicts are listed, so every row not imported says why.
type ErrorCSV struct {
	w      *csv.Writer
	header bool
}

// NewErrorCSV writes to w; call Flush at the end. The file starts with a
// UTF-8 byte order mark so Excel does not read accents as mojibake.
func NewErrorCSV(w io.Writer) *ErrorCSV {
	return &ErrorCSV{w: csv.NewWriter(&bomWriter{w: w})}
}

// Write adds the lines of r if it was not imported; other outcomes are
// ignored, so every outcome can be passed.
func (e *ErrorCSV) Write(r Row) error {
	if r.Status != Error && r.Status != Skipped && r.Status != Conflict {
		return nil
	}
	if !e.header {
		e.header = true
		if err := e.w.Write([]string{"row", "column", "value", "reason"}); err != nil {
			return fmt.Errorf("write error file header: %w", err)
		}
	}
	row := ""
	if r.Row > 0 {
		row = strconv.Itoa(r.Row)
	}
	lines := make([][]string, 0, max(1, len(r.Errors)))
	for _, err := range r.Errors {
		lines = append(lines, []string{row, err.Column, err.Value, err.Reason})
	}
	if len(lines) == 0 {
		reason := r.Reason
		if r.Status == Skipped {
			reason = "skipped: " + reason
		}
		lines = append(lines, []string{row, "", r.Key, reason})
	}
	for _, l := range lines {
		for i := range l {
			l[i] = Escape(l[i])
		}
		if err := e.w.Write(l); err != nil {
			return fmt.Errorf("write error file row %d: %w", r.Row, err)
		}
	}
	return nil
}

// Flush writes what is buffered.
func (e *ErrorCSV) Flush() error {
	if !e.header {
		// An import without errors still gets a file with its header.
		e.header = true
		if err := e.w.Write([]string{"row", "column", "value", "reason"}); err != nil {
			return fmt.Errorf("write error file header: %w", err)
		}
	}
	e.w.Flush()
	return e.w.Error()
}

// Escape defuses a cell a spreadsheet program would run as a formula: one
// starting with = + - @, a tab or a carriage return gets a leading
// apostrophe (OWASP's advice), which Excel and LibreOffice show as text.
func Escape(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

type bomWriter struct {
	w       io.Writer
	written bool
}

func (b *bomWriter) Write(p []byte) (int, error) {
	if !b.written {
		b.written = true
		if _, err := b.w.Write([]byte("\uFEFF")); err != nil {
			return 0, err
		}
	}
	return b.w.Write(p)
}
