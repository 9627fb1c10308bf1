package sheet

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// textEncoding is how a CSV file's bytes become text.
type textEncoding struct {
	name   string            // WHATWG name, e.g. "utf-8", "windows-1252"
	enc    encoding.Encoding // nil for UTF-8: its bytes are read as they are
	bomLen int               // bytes of byte order mark to skip
}

var boms = []struct {
	mark []byte
	name string
	enc  encoding.Encoding
}{
	{[]byte{0xEF, 0xBB, 0xBF}, "utf-8", nil},
	{[]byte{0xFF, 0xFE}, "utf-16le", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)},
	{[]byte{0xFE, 0xFF}, "utf-16be", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)},
}

// detectEncoding picks the encoding of a CSV file from its first bytes:
// a byte order mark first (it cannot lie, so it wins even over the tenant's
// choice), then the tenant's choice, checked against the text, then UTF-16
// without a mark, then valid UTF-8, then the single-byte encoding that
// reads the text as a language writes it (see decideEncoding).
func detectEncoding(prefix []byte, opts Options) (textEncoding, error) {
	for _, b := range boms {
		if bytes.HasPrefix(prefix, b.mark) {
			return textEncoding{name: b.name, enc: b.enc, bomLen: len(b.mark)}, nil
		}
	}
	if opts.Encoding == "" && bytes.IndexByte(prefix, 0) >= 0 {
		if name := utf16Order(prefix); name != "" {
			enc, _ := htmlindex.Get(name)
			return textEncoding{name: name, enc: enc}, nil
		}
		return textEncoding{}, binaryRefusal(prefix)
	}
	complete := len(prefix) < sniffSize
	return decideEncoding(prefix, func() sample {
		return cutSample(prefix, sampleDelimiter(prefix, opts), complete, true)
	}, opts)
}

// decideEncoding decides how raw, the bytes of a sample, are read: as the
// tenant chose, if that reads them as text (see checkChoice); else as UTF-8
// if they are valid UTF-8; else with the single-byte candidate whose
// reading is the most plausible text, or an encoding of another script
// that chardet finds. Text that the encoding decided on still reads as no
// language writes it ("Spó³ka", "MÃ¼ller") is refused with a sample cell:
// mojibake must not reach the table, and the validate step shows the
// tenant refusals, not warnings.
func decideEncoding(raw []byte, cut func() sample, opts Options) (textEncoding, error) {
	if opts.Encoding != "" {
		return checkChoice(raw, cut, opts.Encoding, opts)
	}
	if utf8.Valid(trimPartialRune(raw)) {
		if firstNonASCII(raw) >= 0 {
			s := cut()
			if rd := s.read("utf-8", nil, nil); rd.first != nil {
				return textEncoding{}, damagedText(s, rd)
			}
		}
		return textEncoding{name: "utf-8"}, nil
	}
	s := cut()
	all := readings(raw, s, opts)
	best := all[0]
	if best.plausible() {
		return named(best.enc), nil
	}
	if te, ok := otherScript(raw); ok {
		return te, nil
	}
	if best.bad > 0 {
		return textEncoding{}, unrecognised(s, best, all)
	}
	return named(best.enc), nil
}

// checkChoice checks the tenant's choice of encoding against the sample
// before anything is read with it, so that an administrator who chose an
// encoding by mistake learns it from a refusal naming a cell, rather than
// from records stored as mojibake. A file that is valid UTF-8 with letters
// beyond ASCII is UTF-8 whatever was chosen (other text is valid UTF-8 by
// chance only in a few bytes); a file without a zero byte is not UTF-16;
// and a single-byte choice must read every cell of the sample as a
// language writes it.
func checkChoice(raw []byte, cut func() sample, choice string, opts Options) (textEncoding, error) {
	enc, err := htmlindex.Get(strings.TrimSpace(choice))
	if err != nil {
		return textEncoding{}, refuse("the encoding %q is not known; use for example utf-8, windows-1252, iso-8859-2, iso-8859-15 or utf-16le", choice)
	}
	te := named(enc)
	if te.name == "utf-16le" || te.name == "utf-16be" {
		if bytes.IndexByte(raw, 0) < 0 {
			return textEncoding{}, refuse("the file is not in %s: UTF-16 text has a zero byte beside every Latin letter, and this file has none; choose the encoding the file was saved in, %s", te.name, leaveIt)
		}
		return te, nil
	}
	if firstNonASCII(raw) < 0 {
		return te, nil // ASCII reads alike in every encoding chosen here
	}
	s := cut()
	if !s.hasNonASCII() {
		return te, nil
	}
	valid := utf8.Valid(trimPartialRune(raw))
	switch {
	case te.name == "utf-8" && valid:
		if rd := s.read("utf-8", nil, nil); rd.first != nil {
			return textEncoding{}, damagedText(s, rd)
		}
		return te, nil
	case te.name == "utf-8":
		for i, c := range s.cells {
			if !utf8.ValidString(c.raw) {
				return textEncoding{}, notUTF8(s, i, readings(raw, s, opts))
			}
		}
		return te, nil // the cut-off end of the sample: the reader finds it
	case valid:
		return textEncoding{}, notSingleByte(s, s.read("utf-8", nil, nil), s.read(te.name, te.enc, nil))
	}
	if chosen := s.read(te.name, te.enc, nil); chosen.first != nil {
		return textEncoding{}, wrongChoice(s, chosen, readings(raw, s, opts))
	}
	return te, nil
}

// westernPrior is what windows-1252 (candidates[0]) is given ahead unless
// the tenant's locale is of a language it does not write.
const westernPrior = 1

// readings reads the sample with every single-byte candidate, the most
// plausible first (see reading.score); a tie goes to the language
// chardet's n-grams see in the bytes, then to the order of candidates.
// chardet's own answer is not taken for these encodings: it reports
// ISO-8859-2 text as ISO-8859-1 (its ISO-8859-2 recognisers are built on
// the ISO-8859-1 table: saintfish/chardet issues 6 and 7), but the
// language it names is often right.
func readings(raw []byte, s sample, opts Options) []reading {
	hints := map[string]bool{}
	if l := localeLanguage(opts.Locale); l != "" {
		hints[l] = true
	}
	all := make([]reading, len(candidates))
	scores := make([]int, len(candidates))
	for i, c := range candidates {
		all[i] = s.read(c.name, c.encoding(), c.langs)
		scores[i] = all[i].score(hints)
	}
	if !hintsOutside(hints, candidates[0].langs) {
		// Unless the tenant writes a language Western encodings do not
		// (Polish, Czech...), Western text is the likelier: another
		// reading must be better by more than one common word, so that a
		// French "Cœur" alone is not read as a Polish "Cśur".
		scores[0] += westernPrior
	}
	lang, asked := "", false
	less := func(i, j int) bool {
		if scores[i] != scores[j] {
			return scores[i] > scores[j]
		}
		if !asked {
			lang, asked = chardetLanguage(raw), true
		}
		return all[i].fit(lang) > all[j].fit(lang)
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return less(order[a], order[b]) })
	sorted := make([]reading, len(all))
	for i, j := range order {
		sorted[i] = all[j]
	}
	return sorted
}

// hintsOutside reports whether a hinted language is none of langs.
func hintsOutside(hints map[string]bool, langs []string) bool {
	for h := range hints {
		if _, known := languages[h]; known && !containsString(langs, h) {
			return true
		}
	}
	return false
}

// chardetLanguage is the language chardet's n-grams see in raw, or "".
func chardetLanguage(raw []byte) string {
	r, err := chardet.NewTextDetector().DetectBest(raw)
	if err != nil {
		return ""
	}
	return r.Language
}

// otherScript returns the first encoding chardet finds for raw that is
// none of the single-byte candidates (Cyrillic, Greek, Arabic, Hebrew,
// Chinese, Japanese, Korean) and reads raw as plausible text of its
// script; the letter test of the candidates does not know those scripts.
func otherScript(raw []byte) (textEncoding, bool) {
	results, err := chardet.NewTextDetector().DetectAll(raw)
	if err != nil {
		return textEncoding{}, false
	}
	for _, r := range results {
		enc, err := htmlindex.Get(r.Charset)
		if err != nil {
			continue
		}
		te := named(enc)
		if te.enc == nil || strings.HasPrefix(te.name, "utf-") || isCandidate(te.name) {
			continue
		}
		if text, err := te.enc.NewDecoder().Bytes(trimPartialRune(raw)); err == nil && plausibleScript(string(text)) {
			return te, true
		}
	}
	return textEncoding{}, false
}

func isCandidate(name string) bool {
	for _, c := range candidates {
		if c.name == name {
			return true
		}
	}
	return false
}

// sampleDelimiter is the separator the sample is cut with: the tenant's,
// else Excel's "sep=" line's, else the one detected in text.
func sampleDelimiter(text []byte, opts Options) rune {
	if opts.Delimiter != "" {
		if d, err := parseDelimiter(opts.Delimiter); err == nil {
			return d
		}
	}
	if d, n := sepLine(text); n > 0 {
		return d
	}
	return detectDelimiter(text, len(text) < sniffSize)
}

func named(enc encoding.Encoding) textEncoding {
	name, _ := htmlindex.Name(enc)
	if name == "utf-8" {
		return textEncoding{name: name}
	}
	return textEncoding{name: name, enc: enc}
}

// utf16Order recognises UTF-16 text without a byte order mark by its zero
// bytes: Latin text has a zero in every other byte, on the even positions
// for big-endian and the odd ones for little-endian.
func utf16Order(p []byte) string {
	var even, odd int
	for i, b := range p {
		if b != 0 {
			continue
		}
		if i%2 == 0 {
			even++
		} else {
			odd++
		}
	}
	half := len(p) / 2
	switch {
	case odd > half*3/4 && even < half/10:
		return "utf-16le"
	case even > half*3/4 && odd < half/10:
		return "utf-16be"
	}
	return ""
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end of
// a prefix, so a prefix boundary does not make valid UTF-8 look invalid.
func trimPartialRune(p []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(p); i++ {
		if utf8.RuneStart(p[len(p)-i]) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return p[:len(p)-i]
			}
			break
		}
	}
	return p
}

// looksBinary reports whether decoded text holds control characters that
// text files do not have.
func looksBinary(text []byte) bool {
	var controls, runes int
	for _, r := range string(text) {
		runes++
		if r == 0 {
			return true
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			controls++
		}
	}
	return controls > 0 && controls*100 > runes
}

func binaryRefusal(prefix []byte) *Error {
	kind := http.DetectContentType(prefix)
	if strings.HasPrefix(kind, "text/") || kind == "application/octet-stream" {
		return refuse("the file holds binary data, not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX")
	}
	return refuse("the file holds binary data (%s), not text: it is not a CSV file; save it from your spreadsheet program as CSV or XLSX", kind)
}

// encodingPastPrefix looks for the encoding of a file whose first bytes are
// plain ASCII, which every candidate encoding reads alike: it finds the
// first other byte, however far, and decides the encoding around it. A
// German export whose first umlaut comes after row 5,000 is then read as
// Windows-1252 rather than refused as bad UTF-8, and a tenant's choice is
// checked there as it is on the first bytes. It returns the encoding the
// CSV reader is to use: opts.Encoding when the first bytes decide.
func encodingPastPrefix(f io.ReaderAt, opts Options) (string, error) {
	if name, _ := htmlindex.Get(strings.TrimSpace(opts.Encoding)); name != nil {
		if n, _ := htmlindex.Name(name); strings.HasPrefix(n, "utf-16") {
			return opts.Encoding, nil
		}
	}
	buf := make([]byte, sniffSize)
	var head []byte
	for off := int64(0); ; off += int64(len(buf)) {
		n, err := f.ReadAt(buf, off)
		chunk := buf[:n]
		if off == 0 {
			if bytes.IndexByte(chunk, 0) >= 0 {
				return opts.Encoding, nil // UTF-16 or binary: detectEncoding decides
			}
			head = bytes.Clone(chunk)
		}
		if i := firstNonASCII(chunk); i >= 0 {
			if off == 0 {
				return opts.Encoding, nil
			}
			return encodingAt(f, off+int64(i), head, opts)
		}
		if err == io.EOF {
			return opts.Encoding, nil
		}
		if err != nil {
			return "", fmt.Errorf("read csv: %w", err)
		}
	}
}

// encodingAt decides the encoding of the text starting at the line that
// holds offset pos; head is the file's first bytes, with its header.
func encodingAt(f io.ReaderAt, pos int64, head []byte, opts Options) (string, error) {
	start := max(0, pos-1024)
	window := make([]byte, sniffSize)
	n, err := f.ReadAt(window, start)
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read csv: %w", err)
	}
	window = window[:n]
	lineStart := int64(-1) // unknown when no line ends before pos
	if i := bytes.LastIndexByte(window[:pos-start], '\n'); i >= 0 {
		window = window[i+1:]
		lineStart = start + int64(i) + 1
	}
	delim := sampleDelimiter(head, opts)
	cut := func() sample {
		s := cutSample(window, delim, n < sniffSize, false)
		s.header = cutSample(head, delim, false, true).header
		return s
	}
	te, err := decideEncoding(window, cut, opts)
	var e *Error
	if errors.As(err, &e) && e.Row > 0 {
		if base := rowAt(f, lineStart, delim, head); base > 0 {
			e.Row += base - 1
		} else {
			e.Row = 0
		}
	}
	if err != nil {
		return "", err
	}
	if te.enc == nil {
		return opts.Encoding, nil // UTF-8: detection on the prefix gives the same
	}
	return te.name, nil
}

// rowAt returns the row number, as the CSV reader counts rows, of the line
// starting at offset off, or 0 if it cannot be known. The bytes before off
// are ASCII, so they are read as they are.
func rowAt(f io.ReaderAt, off int64, delim rune, head []byte) int {
	if off < 0 {
		return 0
	}
	from := int64(0)
	if _, n := sepLine(head); n > 0 {
		from = int64(n)
	}
	lines := &lineCounter{r: io.NewSectionReader(f, from, off-from)}
	r := csv.NewReader(lines)
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	row, nextLine := 0, 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0
		}
		line, _ := r.FieldPos(0)
		row += 1 + line - nextLine
		nextLine = line + 1
		for _, f := range rec {
			nextLine += strings.Count(f, "\n")
		}
	}
	return row + 1 + (lines.n + 1 - nextLine)
}

// lineCounter counts the line ends read through it.
type lineCounter struct {
	r io.Reader
	n int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// firstNonASCII returns the index of the first byte of b at or above 0x80,
// or -1, looking at eight bytes at a time.
func firstNonASCII(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return i
		}
	}
	return -1
}
