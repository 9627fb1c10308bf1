package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// sniffSize is how much of a CSV file detection looks at.
const sniffSize = 64 << 10

// OpenCSV reads CSV text from r, detecting its encoding and separator
// unless opts names them. r is not closed by Close unless it is an
// io.Closer.
func OpenCSV(r io.Reader, opts Options) (Reader, error) {
	in := bufio.NewReaderSize(r, sniffSize)
	prefix, err := in.Peek(sniffSize)
	complete := err == io.EOF
	if err != nil && !complete && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	if len(bytes.TrimSpace(prefix)) == 0 {
		return nil, refuse("the file is empty: the first row must hold the column titles")
	}
	te, err := detectEncoding(prefix, opts)
	if err != nil {
		return nil, err
	}
	in.Discard(te.bomLen)
	body, text, err := decode(in, prefix[te.bomLen:], te)
	if err != nil {
		return nil, err
	}
	delim := rune(0)
	// Excel writes and honours a first line "sep=;" naming the separator;
	// it does not show that line as a row.
	if d, n := sepLine(text); n > 0 {
		lines := bufio.NewReader(body)
		if _, err := lines.ReadString('\n'); err != nil {
			return nil, refuse("the file has a \"sep=\" line but no column titles")
		}
		delim, text, body = d, text[n:], lines
	}
	if opts.Delimiter != "" {
		if delim, err = parseDelimiter(opts.Delimiter); err != nil {
			return nil, err
		}
	} else if delim == 0 {
		delim = detectDelimiter(text, complete)
	}

	src := &csvSource{maxCell: opts.maxCell(), checkUTF8: te.enc == nil, nextLine: 1}
	src.budget = newBudget(body, 4*src.maxCell+sniffSize)
	src.records = newCSVRecords(bufio.NewReaderSize(src.budget, sniffSize), delim)
	if c, ok := r.(io.Closer); ok {
		src.closer = c
	}
	info := Info{Format: "csv", Encoding: te.name, Delimiter: string(delim)}
	hint := fmt.Sprintf("; a value containing the separator %s must be in quotes", describeDelimiter(delim))
	return newTable(src, info, hint)
}

// decode returns the file's text as UTF-8 with LF or CR LF line ends, and
// the same for the sniffed prefix, refusing binary data.
func decode(in io.Reader, prefix []byte, te textEncoding) (io.Reader, []byte, error) {
	text := prefix
	var chain []transform.Transformer
	if te.enc != nil {
		var err error
		if text, err = te.enc.NewDecoder().Bytes(prefix); err != nil {
			return nil, nil, fmt.Errorf("decode csv prefix: %w", err)
		}
		chain = append(chain, te.enc.NewDecoder())
	}
	if looksBinary(text) {
		return nil, nil, binaryRefusal(prefix)
	}
	if bytes.IndexByte(text, '\r') >= 0 && bytes.IndexByte(text, '\n') < 0 {
		chain = append(chain, crToLF{})
		text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	}
	if len(chain) == 0 {
		return in, text, nil
	}
	return transform.NewReader(in, transform.Chain(chain...)), text, nil
}

func describeDelimiter(d rune) string {
	if d == '\t' {
		return "(tab)"
	}
	return fmt.Sprintf("%q", string(d))
}

// sepLine recognises Excel's "sep=X" first line; n is its length with the
// line end, or 0.
func sepLine(text []byte) (delim rune, n int) {
	if len(text) < 5 || !bytes.EqualFold(text[:4], []byte("sep=")) {
		return 0, 0
	}
	d, size := utf8.DecodeRune(text[4:])
	rest := text[4+size:]
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		n = 4 + size + 2
	case bytes.HasPrefix(rest, []byte("\n")):
		n = 4 + size + 1
	default:
		return 0, 0
	}
	if _, err := parseDelimiter(string(d)); err != nil {
		return 0, 0
	}
	return d, n
}

type csvSource struct {
	records   *csvRecords
	budget    *budget
	closer    io.Closer
	maxCell   int
	checkUTF8 bool

	// Spreadsheet programs show a blank line as an empty row and a quoted
	// value spanning lines as one row; row counts rows that way from the
	// lines each record starts and ends on.
	row      int
	nextLine int // line just after the last record

	quotes quoteNotes
}

func (s *csvSource) next() (Row, error) {
	s.budget.reset()
	rec, err := s.records.read()
	if err == io.EOF {
		return Row{}, io.EOF
	}
	if err != nil {
		return Row{}, s.readError(err)
	}
	row := s.rowAt(rec.line)
	s.row, s.nextLine = row, rec.lastLine+1
	// Trailing empty fields get no cell: the table pads the row to the
	// header's width, and no further.
	cells := make([]Cell, lastValue(rec.fields, func(f string) bool { return f == "" }))
	for i, f := range rec.fields[:len(cells)] {
		if f == "" {
			continue
		}
		if len(f) > s.maxCell {
			return Row{}, rowError(row, "the value in column %s is longer than %s; is a closing quote (\") missing?", ColumnName(i+1), size(s.maxCell))
		}
		if strings.IndexByte(f, 0) >= 0 {
			return Row{}, rowError(row, "column %s holds binary data (a NUL byte), which a CSV file cannot hold; save the file again as CSV from your spreadsheet program", ColumnName(i+1))
		}
		if s.checkUTF8 && !utf8.ValidString(f) {
			return Row{}, rowError(row, "column %s holds text that is not UTF-8 (%q); the file may be in another encoding such as windows-1252: choose the encoding or save the file as CSV UTF-8", ColumnName(i+1), clip(strings.ToValidUTF8(f, "?")))
		}
		cells[i] = Cell{Kind: Text, Text: f}
	}
	for _, i := range rec.bare {
		if strings.HasPrefix(rec.fields[i], "=") {
			// A formula such as =HYPERLINK("x") written without quotes:
			// a spreadsheet program would compute it, so its text is not
			// what the tenant saw. Naming the column lets them find it in
			// a wide row.
			e := rowError(row, `the value holds a " but does not start with one; put the value in quotes and double the " inside it ("")`)
			e.Column = i + 1
			return Row{}, e
		}
		s.quotes.add(row, i+1, rec.fields[i])
	}
	if rec.past >= 0 {
		return Row{Number: row, Cells: cells}, &wideRow{width: rec.width, column: rec.past + 1, value: rec.pastText}
	}
	return Row{Number: row, Cells: cells}, nil
}

// rowAt returns the tenant's row number of a record starting on line.
func (s *csvSource) rowAt(line int) int {
	return s.row + 1 + (line - s.nextLine)
}

// readError words an error of reading a record.
func (s *csvSource) readError(err error) error {
	var qe *quoteError
	if errors.As(err, &qe) {
		return rowError(s.rowAt(qe.line), `a quoted value is not closed properly: a value that starts with " must end with " before the next separator or line end, and a " inside it must be doubled ("")`)
	}
	row := s.rowAt(s.nextLine)
	if errors.Is(err, errTooLong) {
		return rowError(row, "holds more than %s of text (a cell may hold %s); is a closing quote (\") missing?", size(4*s.maxCell), size(s.maxCell))
	}
	return fmt.Errorf("read csv row %d: %w", row, err)
}

func (s *csvSource) notes() []note { return s.quotes.list() }

func (s *csvSource) close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// size writes a byte count for a tenant: 1 MiB, 512 KiB, 100 bytes.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
