// Package match finds a user's existing records from the key fields of an
// import row: one to eight fields whose combined values identify a record,
// compared after normalising, where an empty key value is a wildcard.
package match

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Kind says how a field's values compare. Values arrive canonical from
// validation (dates "2006-01-02", numbers "1234.5"), so only text needs
// real work.
type Kind string

const (
	Text     Kind = "text"
	Number   Kind = "number"
	Date     Kind = "date"
	DateTime Kind = "datetime"
)

// Normalize returns the form of v under which two key values are equal:
// for text, trimmed, inner spaces collapsed, accents removed and case
// folded, so "  Müller  GmbH" and "muller gmbh" are the same customer; for
// numbers the shortest decimal form, so "1234.50" equals "1234.5"; for
// date-times the instant in UTC.
func Normalize(kind Kind, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	switch kind {
	case Number:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return v
	case Date:
		return v
	case DateTime:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
		return v
	default:
		return foldText(v)
	}
}

func foldText(v string) string {
	if ascii(v) {
		// Most keys (customer numbers, e-mail-like ids) are plain ASCII and
		// need neither decomposition nor full case folding.
		return strings.ToLower(strings.Join(strings.Fields(v), " "))
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	// NFD splits "é" into "e" and a combining accent, which is then dropped.
	for _, r := range norm.NFD.String(v) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	// Folding (not lowering) makes "STRASSE" and "straße" meet.
	return cases.Fold().String(b.String())
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
