package sheet

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// No maintained streaming ODS library exists for Go, so this reads
// content.xml with encoding/xml, one row at a time.

const (
	nsTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	nsOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	nsText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

	// The largest sheet LibreOffice and Excel make (with maxColumns).
	// Files mark trailing empty rows and columns as repeated up to these
	// limits; such repeats are counted, never expanded.
	odsMaxRows = 1 << 20
	// Cells with values that repeats may add to a sheet: a few bytes of
	// XML repeating a full row a million times would otherwise keep the
	// reader busy with billions of cells.
	odsMaxRepeatedCells = 10_000_000
)

func openODS(path string, opts Options) (Reader, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, refuse("the workbook cannot be unpacked (%v); it may be damaged: save it again", err)
	}
	src := &odsSource{zip: z, maxCell: opts.maxCell()}
	if err := checkUnpackedSize(&z.Reader, opts.maxUnpacked()); err != nil {
		src.close()
		return nil, err
	}
	for _, f := range z.File {
		if f.Name == "content.xml" {
			src.content = f
		}
	}
	if src.content == nil {
		src.close()
		return nil, refuse("the ODS workbook has no content.xml; it may be damaged: save it again")
	}
	sheets, withData, err := src.scanSheets()
	if err != nil {
		src.close()
		return nil, err
	}
	name, err := pickSheet(sheets, opts.Sheet, func(s string) (bool, error) { return withData[s], nil })
	if err != nil {
		src.close()
		return nil, err
	}
	if err := src.seekSheet(name); err != nil {
		src.close()
		return nil, err
	}
	return newTable(src, Info{Format: "ods", Sheet: name, Sheets: sheets}, "")
}

type odsSource struct {
	zip     *zip.ReadCloser
	content *zip.File
	body    io.ReadCloser
	budget  *budget
	dec     *xml.Decoder
	maxCell int

	row      int // rows consumed so far, counting repeats
	repeat   int // copies of last still to return
	last     []Cell
	repeated int // cells with values added by repeats so far
	done     bool
}

// addRepeated counts n cells made by a repeat and refuses the sheet once
// there are too many.
func (s *odsSource) addRepeated(n, row int) error {
	s.repeated += n
	if s.repeated > odsMaxRepeatedCells {
		return rowError(row, "the sheet repeats rows or cells with values more than %d times in all; it may be damaged: save it again", odsMaxRepeatedCells)
	}
	return nil
}

// open starts reading content.xml from the beginning.
func (s *odsSource) open() error {
	if s.body != nil {
		s.body.Close()
	}
	body, err := s.content.Open()
	if err != nil {
		return refuse("the ODS workbook cannot be unpacked (%v); it may be damaged: save it again", err)
	}
	s.body = body
	// A cell's text arrives as one XML token; the budget keeps a huge one
	// from being read into memory whole.
	s.budget = newBudget(body, 2*s.maxCell+sniffSize)
	s.dec = xml.NewDecoder(s.budget)
	return nil
}

func (s *odsSource) token() (xml.Token, error) {
	s.budget.reset()
	tok, err := s.dec.Token()
	if err != nil && err != io.EOF {
		if errors.Is(err, errTooLong) {
			return nil, rowError(s.row+1, "a cell holds more than %s; a cell may hold %s", size(2*s.maxCell), size(s.maxCell))
		}
		return nil, refuse("the ODS workbook is damaged (%v); open it in your spreadsheet program and save it again", err)
	}
	return tok, err
}

func isElem(n xml.Name, space, local string) bool { return n.Space == space && n.Local == local }

func attr(e xml.StartElement, space, local string) string {
	for _, a := range e.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// repeats reads a number-…-repeated attribute.
func repeats(e xml.StartElement, local string) int {
	v := attr(e, nsTable, local)
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// scanSheets lists the sheets and which of them hold a value, skipping the
// rest of a sheet once it is known to have one.
func (s *odsSource) scanSheets() (sheets []string, withData map[string]bool, err error) {
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	withData = map[string]bool{}
	current, depth := "", 0
	for {
		tok, err := s.token()
		if err == io.EOF {
			return sheets, withData, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if isElem(t.Name, nsTable, "table") && current == "" {
				current, depth = attr(t, nsTable, "name"), 0
				sheets = append(sheets, current)
				continue
			}
			if current == "" {
				continue
			}
			depth++
			if isElem(t.Name, nsOffice, "annotation") {
				if err := s.skip(); err != nil {
					return nil, nil, err
				}
				depth--
				continue
			}
			if (isElem(t.Name, nsTable, "table-cell") && attr(t, nsOffice, "value-type") != "") || isElem(t.Name, nsText, "p") {
				withData[current] = true
				// Skip out of this element and its parents up to the table.
				for ; depth >= 0; depth-- {
					if err := s.skip(); err != nil {
						return nil, nil, err
					}
				}
				current = ""
			}
		case xml.EndElement:
			if current == "" {
				continue
			}
			if depth == 0 {
				current = ""
				continue
			}
			depth--
		}
	}
}

// seekSheet positions the reader just inside the named table.
func (s *odsSource) seekSheet(name string) error {
	if err := s.open(); err != nil {
		return err
	}
	for {
		tok, err := s.token()
		if err == io.EOF {
			return refuse("the workbook has no sheet %q", name)
		}
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok && isElem(t.Name, nsTable, "table") {
			if attr(t, nsTable, "name") == name {
				return nil
			}
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
}

func (s *odsSource) next() (Row, error) {
	if s.repeat > 0 {
		s.repeat--
		s.row++
		return Row{Number: s.row, Cells: append([]Cell(nil), s.last...)}, nil
	}
	for !s.done {
		tok, err := s.token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Row{}, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if isElem(t.Name, nsTable, "table") {
				s.done = true
			}
		case xml.StartElement:
			switch {
			case isElem(t.Name, nsTable, "table-row"):
				n := repeats(t, "number-rows-repeated")
				cells, err := s.readRow()
				if err != nil {
					return Row{}, err
				}
				if s.row+n > odsMaxRows && !emptyRow(cells) {
					return Row{}, rowError(s.row+1, "the sheet has more than %d rows, more than a spreadsheet can hold; it may be damaged: save it again", odsMaxRows)
				}
				if emptyRow(cells) {
					s.row += n
					continue
				}
				s.row++
				if n > 1 {
					if err := s.addRepeated((n-1)*len(cells), s.row); err != nil {
						return Row{}, err
					}
					s.repeat, s.last = n-1, cells
				}
				return Row{Number: s.row, Cells: cells}, nil
			case isElem(t.Name, nsTable, "table-column"), isElem(t.Name, nsTable, "table-columns"),
				isElem(t.Name, nsTable, "shapes"), isElem(t.Name, nsOffice, "forms"):
				if err := s.skip(); err != nil {
					return Row{}, err
				}
			}
			// Other elements (header rows, row groups) wrap rows: go inside.
		}
	}
	return Row{}, io.EOF
}

// skip reads past the end of the element whose start tag was just read.
// Unlike xml.Decoder.Skip it goes through token, so the per-token budget
// is renewed: a skipped sheet may be far larger than one cell.
func (s *odsSource) skip() error {
	for depth := 1; depth > 0; {
		tok, err := s.token()
		if err == io.EOF {
			return refuse("the ODS workbook ends too early; it may be damaged: save it again")
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// readRow reads the cells of the row whose start tag was just read.
// Empty cells are only counted until a value follows them, so a row that
// ends in thousands of repeated empty cells costs nothing.
func (s *odsSource) readRow() ([]Cell, error) {
	rowNum := s.row + 1
	var cells []Cell
	emptyRun := 0
	for {
		tok, err := s.token()
		if err != nil {
			if err == io.EOF {
				return nil, refuse("the ODS workbook ends in the middle of row %d; it may be damaged: save it again", rowNum)
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if isElem(t.Name, nsTable, "table-row") {
				return cells, nil
			}
		case xml.StartElement:
			if !isElem(t.Name, nsTable, "table-cell") && !isElem(t.Name, nsTable, "covered-table-cell") {
				if err := s.skip(); err != nil {
					return nil, err
				}
				continue
			}
			n := repeats(t, "number-columns-repeated")
			c, err := s.readCell(t, rowNum)
			if err != nil {
				return nil, err
			}
			if c.Text == "" {
				emptyRun += n
				continue
			}
			if len(cells)+emptyRun+n > maxColumns {
				return nil, rowError(rowNum, "has values beyond column %d, more than a spreadsheet can hold; it may be damaged: save it again", maxColumns)
			}
			if err := s.addRepeated(n-1, rowNum); err != nil {
				return nil, err
			}
			for ; emptyRun > 0; emptyRun-- {
				cells = append(cells, Cell{})
			}
			for ; n > 0; n-- {
				cells = append(cells, c)
			}
		}
	}
}

// readCell reads one cell whose start tag was just read: its typed value
// from the office: attributes, its text from the text:p paragraphs.
func (s *odsSource) readCell(start xml.StartElement, rowNum int) (Cell, error) {
	var text strings.Builder
	paragraphs, inP := 0, 0
	for {
		tok, err := s.token()
		if err != nil {
			if err == io.EOF {
				return Cell{}, refuse("the ODS workbook ends in the middle of row %d; it may be damaged: save it again", rowNum)
			}
			return Cell{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case isElem(t.Name, nsOffice, "annotation"):
				if err := s.skip(); err != nil {
					return Cell{}, err
				}
			case isElem(t.Name, nsText, "p"):
				if paragraphs > 0 {
					text.WriteByte('\n')
				}
				paragraphs++
				inP++
			case inP > 0 && isElem(t.Name, nsText, "s"):
				spaces := 1
				if c, err := strconv.Atoi(attr(t, nsText, "c")); err == nil && c > 1 {
					spaces = min(c, s.maxCell)
				}
				text.WriteString(strings.Repeat(" ", spaces))
			case inP > 0 && isElem(t.Name, nsText, "tab"):
				text.WriteByte('\t')
			case inP > 0 && isElem(t.Name, nsText, "line-break"):
				text.WriteByte('\n')
			}
		case xml.EndElement:
			if t.Name == start.Name {
				if text.Len() > s.maxCell {
					return Cell{}, rowError(rowNum, "a cell is longer than %s", size(s.maxCell))
				}
				return odsCell(start, text.String()), nil
			}
			if isElem(t.Name, nsText, "p") {
				inP--
			}
		case xml.CharData:
			if inP > 0 {
				text.Write(t)
				if text.Len() > s.maxCell {
					return Cell{}, rowError(rowNum, "a cell is longer than %s", size(s.maxCell))
				}
			}
		}
	}
}

// odsCell makes a cell from its value attributes, falling back to the text
// the tenant sees when they are missing or unreadable.
func odsCell(start xml.StartElement, text string) Cell {
	switch attr(start, nsOffice, "value-type") {
	case "float", "percentage", "currency":
		v := attr(start, nsOffice, "value")
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return Cell{Kind: Number, Text: v, Number: n}
		}
	case "date":
		if t, ok := parseODSDate(attr(start, nsOffice, "date-value")); ok {
			return dateCell(t)
		}
	case "time":
		if d, ok := parseODSDuration(attr(start, nsOffice, "time-value")); ok {
			// A time alone is a time on Excel's day zero, as XLSX has it.
			return dateCell(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(d))
		}
	case "boolean":
		switch attr(start, nsOffice, "boolean-value") {
		case "true":
			return Cell{Kind: Bool, Text: "TRUE"}
		case "false":
			return Cell{Kind: Bool, Text: "FALSE"}
		}
	case "string":
		if v := attr(start, nsOffice, "string-value"); v != "" {
			return Cell{Kind: Text, Text: v}
		}
	}
	if text == "" {
		return Cell{}
	}
	return Cell{Kind: Text, Text: text}
}

func parseODSDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseODSDuration reads an ISO 8601 duration such as PT14H30M00S.
func parseODSDuration(v string) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(v, "PT")
	if !ok || rest == "" {
		return 0, false
	}
	var total time.Duration
	for rest != "" {
		i := strings.IndexAny(rest, "HMS")
		if i <= 0 {
			return 0, false
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || n < 0 {
			return 0, false
		}
		unit := map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[rest[i]]
		total += time.Duration(n * float64(unit))
		rest = rest[i+1:]
	}
	return total, true
}

func (s *odsSource) close() error {
	var errs []error
	if s.body != nil {
		errs = append(errs, s.body.Close())
	}
	errs = append(errs, s.zip.Close())
	return errors.Join(errs...)
}

var _ source = (*odsSource)(nil)
var _ source = (*xlsxSource)(nil)
var _ source = (*csvSource)(nil)
