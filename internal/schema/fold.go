package schema

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// letters that do not decompose into a base letter and an accent.
var foldLetters = strings.NewReplacer("ß", "ss", "ł", "l", "Ł", "l", "ø", "o", "Ø", "o", "æ", "ae", "Æ", "ae", "œ", "oe", "Œ", "oe", "đ", "d", "Đ", "d", "ð", "d", "þ", "th")

// Fold returns the form in which column titles and enum values are compared:
// lower case, without accents, spacing or punctuation, so that "E-Mail",
// "e mail" and "EMAIL" are one title and "Straße" equals "Strasse".
// Compatibility decomposition (NFKD) also turns "Nº" into "No" and
// full-width letters into plain ones.
func Fold(s string) string {
	s = foldLetters.Replace(norm.NFKD.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
