package sheet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
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

// detectEncoding picks the encoding of a CSV file from the first bytes:
// a byte order mark first (it cannot lie, so it wins even over the tenant's
// choice), then the tenant's choice, then UTF-16 without a mark, then valid
// UTF-8, then a statistical guess.
func detectEncoding(prefix []byte, choice string) (textEncoding, error) {
	for _, b := range boms {
		if bytes.HasPrefix(prefix, b.mark) {
			return textEncoding{name: b.name, enc: b.enc, bomLen: len(b.mark)}, nil
		}
	}
	if choice != "" {
		enc, err := htmlindex.Get(strings.TrimSpace(choice))
		if err != nil {
			return textEncoding{}, refuse("the encoding %q is not known; use for example utf-8, windows-1252, iso-8859-2, iso-8859-15 or utf-16le", choice)
		}
		return named(enc), nil
	}
	if bytes.IndexByte(prefix, 0) >= 0 {
		if name := utf16Order(prefix); name != "" {
			enc, _ := htmlindex.Get(name)
			return textEncoding{name: name, enc: enc}, nil
		}
		return textEncoding{}, binaryRefusal(prefix)
	}
	if utf8.Valid(trimPartialRune(prefix)) {
		return textEncoding{name: "utf-8"}, nil
	}
	results, err := chardet.NewTextDetector().DetectAll(prefix)
	if err == nil {
		for _, r := range results {
			// htmlindex reads ISO-8859-1 as windows-1252, which is what
			// such files really are: Windows programs write 0x80-0x9F as
			// € „ “ and the like, never as control characters.
			if enc, err := htmlindex.Get(r.Charset); err == nil {
				return named(enc), nil
			}
		}
	}
	return textEncoding{}, refuse("the text encoding of the file could not be recognised; choose it (for example windows-1252 or utf-8) or save the file as CSV UTF-8")
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
// first other byte, however far, and detects the encoding around it. A
// German export whose first umlaut comes after row 5,000 is then read as
// Windows-1252 rather than refused as bad UTF-8. It returns "" when the
// usual detection on the prefix can decide.
func encodingPastPrefix(f io.ReaderAt) (string, error) {
	buf := make([]byte, sniffSize)
	for off := int64(0); ; off += int64(len(buf)) {
		n, err := f.ReadAt(buf, off)
		chunk := buf[:n]
		if off == 0 && bytes.IndexByte(chunk, 0) >= 0 {
			return "", nil // UTF-16 or binary: detectEncoding decides
		}
		if i := firstNonASCII(chunk); i >= 0 {
			if off == 0 {
				return "", nil
			}
			return encodingAt(f, off+int64(i))
		}
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("read csv: %w", err)
		}
	}
}

// encodingAt detects the encoding of the text starting at the line that
// holds offset pos.
func encodingAt(f io.ReaderAt, pos int64) (string, error) {
	start := max(0, pos-1024)
	window := make([]byte, sniffSize)
	n, err := f.ReadAt(window, start)
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read csv: %w", err)
	}
	window = window[:n]
	if i := bytes.LastIndexByte(window[:pos-start], '\n'); i >= 0 {
		window = window[i+1:]
	}
	te, err := detectEncoding(window, "")
	if err != nil || te.enc == nil {
		return "", nil // detection on the prefix will give the same answer
	}
	return te.name, nil
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
