package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// csvRecords splits CSV text into records the way spreadsheet programs
// read it: RFC 4180 quoting, LF or CR LF line ends (CR LF inside a quoted
// value becomes LF), blank lines skipped, and a quote inside a value that
// does not start with one read as part of the value (27" monitor), as
// Excel, LibreOffice and Python's csv read it.
//
// encoding/csv cannot be told to do both that and keep a record's memory
// bounded: its LazyQuotes option reads such a quote literally but also
// accepts a quoted value left open to the end of the file and reads a
// stray quote inside a quoted value literally, merging lines in silence;
// and it keeps some 40 bytes per field of a record before returning it:
// one 4 MiB line of separators, 4 million fields, took 206 MiB of heap
// and 600 MiB of allocations (measured). Here fields past maxColumns are
// looked at and dropped, never kept.
type csvRecords struct {
	in    *bufio.Reader
	comma byte   // every separator offered is ASCII
	line  int    // lines read so far
	long  []byte // a line longer than in's buffer, reused
	text  []byte // the text of the kept fields, reused
	ends  []int  // where each kept field ends in text, reused
	rec   csvRecord
}

// csvRecord is one record; its slices are reused by the next read.
type csvRecord struct {
	fields   []string // the first maxColumns fields
	width    int      // fields up to the last non-empty one, kept or not
	past     int      // the first non-empty field past maxColumns (0-based), -1 if none
	pastText string
	line     int   // the line the record starts on (1-based)
	lastLine int   // the line it ends on
	bare     []int // kept fields (0-based) holding a quote but not starting with one
}

// quoteError is a quoted value not closed properly: a quote inside it
// neither doubled nor followed by a separator or a line end, or the end of
// the file before its closing quote.
type quoteError struct {
	line int // the line the record starts on
}

func (e *quoteError) Error() string { return "a quoted value is not closed properly" }

func newCSVRecords(in *bufio.Reader, comma rune) *csvRecords {
	return &csvRecords{in: in, comma: byte(comma)}
}

// readLine reads one line, its line end as LF. At the end of the file it
// returns io.EOF and no bytes; a last line without a line end comes first.
func (c *csvRecords) readLine() ([]byte, error) {
	line, err := c.in.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = c.in.ReadSlice('\n')
			c.long = append(c.long, line...)
		}
		line = c.long
	}
	if len(line) == 0 {
		if err == nil {
			err = io.EOF
		}
		return nil, err
	}
	if err == io.EOF {
		err = nil
		// As encoding/csv does: a CR ending the file is no line end.
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	c.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// read returns the next record, io.EOF after the last, a *quoteError, or
// the error of the underlying reader (such as errTooLong).
func (c *csvRecords) read() (*csvRecord, error) {
	var line []byte
	for {
		var err error
		if line, err = c.readLine(); err != nil {
			return nil, err
		}
		if len(line) != lengthNL(line) {
			break
		}
	}
	r := &c.rec
	r.line, r.width, r.past, r.pastText, r.bare = c.line, 0, -1, "", r.bare[:0]
	c.text, c.ends = c.text[:0], c.ends[:0]

	for field := 0; ; field++ {
		start := len(c.text)
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, c.comma)
			v := line
			if i >= 0 {
				v = line[:i]
			} else {
				v = line[:len(line)-lengthNL(line)]
			}
			if field < maxColumns && bytes.IndexByte(v, '"') >= 0 {
				r.bare = append(r.bare, field)
			}
			c.text = append(c.text, v...)
			c.endField(field, start)
			if i < 0 {
				break
			}
			line = line[i+1:]
			continue
		}
		more, err := c.quoted(line[1:], field, start)
		if err != nil {
			return nil, err
		}
		if more == nil {
			break
		}
		line = more
	}

	r.lastLine = c.line
	// One string for the record, sliced into fields, as encoding/csv does:
	// one allocation per record instead of one per field.
	all := string(c.text)
	r.fields = r.fields[:0]
	prev := 0
	for _, end := range c.ends {
		r.fields = append(r.fields, all[prev:end])
		prev = end
	}
	return r, nil
}

// quoted reads a quoted field whose opening quote was just read, and
// returns the rest of the line after its separator, or nil at the end of
// the record.
func (c *csvRecords) quoted(line []byte, field, start int) ([]byte, error) {
	for {
		i := bytes.IndexByte(line, '"')
		if i < 0 {
			if len(line) > 0 {
				c.text = append(c.text, line...)
			}
			var err error
			line, err = c.readLine()
			if errors.Is(err, io.EOF) {
				return nil, &quoteError{line: c.rec.line}
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		c.text = append(c.text, line[:i]...)
		line = line[i+1:]
		switch {
		case len(line) > 0 && line[0] == '"': // "" is one quote
			c.text = append(c.text, '"')
			line = line[1:]
		case len(line) > 0 && line[0] == c.comma:
			c.endField(field, start)
			return line[1:], nil
		case len(line) == lengthNL(line):
			c.endField(field, start)
			return nil, nil
		default:
			return nil, &quoteError{line: c.rec.line}
		}
	}
}

// endField ends the field that starts at start in text: a field past
// maxColumns is only looked at, then dropped.
func (c *csvRecords) endField(field, start int) {
	r := &c.rec
	if len(c.text) > start {
		r.width = field + 1
		if field >= maxColumns && r.past < 0 {
			r.past = field
			r.pastText = clip(string(c.text[start:min(len(c.text), start+64)]))
		}
	}
	if field < maxColumns {
		c.ends = append(c.ends, len(c.text))
		return
	}
	c.text = c.text[:start]
}
