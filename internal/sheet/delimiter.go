package sheet

import (
	"bytes"
	"encoding/csv"
	"io"

	"golang.org/x/text/transform"
)

var delimiters = []rune{',', ';', '\t', '|'}

// detectDelimiter picks the separator that splits the header into the most
// columns and the following lines into as many, reading quoted values as
// encoding/csv does, so a ";" inside quotes does not count.
func detectDelimiter(text []byte, complete bool) rune {
	if !complete {
		// The last line of a prefix is usually cut short.
		if i := bytes.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i+1]
		}
	}
	best, bestRows, bestCols := ',', -1, 1
	for _, d := range delimiters {
		r := csv.NewReader(bytes.NewReader(text))
		r.Comma = d
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		header, err := r.Read()
		if err != nil || len(header) < 2 {
			continue
		}
		same := 0
		for i := 0; i < 50; i++ {
			rec, err := r.Read()
			if err == io.EOF || (err != nil && len(rec) == 0) {
				break
			}
			if len(rec) == len(header) {
				same++
			}
		}
		if same > bestRows || (same == bestRows && len(header) > bestCols) {
			best, bestRows, bestCols = d, same, len(header)
		}
	}
	return best
}

func parseDelimiter(s string) (rune, error) {
	switch s {
	case ",", ";", "|", "\t":
		return rune(s[0]), nil
	case "tab", "TAB", `\t`:
		return '\t', nil
	}
	return 0, refuse("the separator %q is not supported; use one of , ; | or tab", s)
}

// crToLF turns line ends made of a lone carriage return (old Mac programs)
// into line feeds, which the CSV reader splits lines on. CR LF becomes LF.
type crToLF struct{}

func (crToLF) Reset() {}

func (crToLF) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c == '\r' {
			if nSrc+1 == len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if nSrc+1 < len(src) && src[nSrc+1] == '\n' {
				nSrc++
				continue
			}
			c = '\n'
		}
		if nDst == len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = c
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}
