package sheet

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Telling single-byte encodings apart. The bytes 0x80-0xFF of windows-1252
// and windows-1250 (and of their ISO cousins) are letters of different
// languages: 0xB3 is "ł" in Polish and "³" in Western text, 0xE8 "č" in
// Czech and "è" in French. Byte statistics cannot tell which a short file
// means; the text can: read with the right encoding, every word is spelt
// with the letters of one language, and no symbol sits inside a word.

// A language is written with ASCII letters and the letters listed here,
// in lower case. Rare ones (a French "æ", a Swedish "é") say less about the
// language than common ones, so a word using one weighs less.
type language struct {
	common, rare string
}

var languages = map[string]language{
	"de": {common: "äöüß"},
	"fr": {common: "àçéèê", rare: "âæëîïôœùûüÿ"},
	"es": {common: "áéíñóú", rare: "ü"},
	"pt": {common: "áâãçéêíóôú", rare: "àõü"},
	"it": {common: "àèéìòù", rare: "íîóú"},
	"ca": {common: "àçèéíòó", rare: "ïúü"},
	"nl": {common: "éë", rare: "áèíïóöúü"},
	"sv": {common: "åäö", rare: "é"},
	"fi": {common: "äö", rare: "åšž"},
	"da": {common: "æøå", rare: "é"},
	"no": {common: "æøå", rare: "èéóô"},
	"is": {common: "áæéíðóöúýþ"},
	"pl": {common: "ąćęłńóśźż"},
	"cs": {common: "áčďéěíňóřšťúůýž"},
	"sk": {common: "áčďéíľňóôšťúýž", rare: "äĺŕ"},
	"hu": {common: "áéíóöőúüű"},
	"hr": {common: "čćđšž"},
	"sl": {common: "čšž"},
	"ro": {common: "ăâîşţșț"},
	"tr": {common: "çğıöşü", rare: "âîû"},
}

// letterWeights holds, per language, the weight of each letter below
// maxLetter: 2 common, 1 rare, 0 not written.
const maxLetter = 0x250 // past Latin Extended-B

var letterWeights = func() map[string]*[maxLetter]uint8 {
	m := map[string]*[maxLetter]uint8{}
	for code, l := range languages {
		var w [maxLetter]uint8
		for _, r := range l.rare {
			w[r] = 1
		}
		for _, r := range l.common {
			w[r] = 2
		}
		m[code] = &w
	}
	return m
}()

// weight is how strongly a word tells that it is written in lang: 2 when
// lang writes all its letters commonly, 1 when some rarely, 0 when lang
// does not write one of them.
func weight(letters []rune, lang *[maxLetter]uint8) int {
	w := 2
	for _, r := range letters {
		if r >= maxLetter || lang[r] == 0 {
			return 0
		}
		w = min(w, int(lang[r]))
	}
	return w
}

// Symbols that sit in words. Between letters: apostrophes, the acute
// accent typed as one ("O´Brien"), the Catalan middle dot ("col·lecció")
// and dashes. At a word's edge also quotes, ellipses and marks such as ®
// and °; opening quotes and Spanish ¿ ¡ only before it; superscripts only
// after a unit of one or two letters ("m²", "cm³", not "Micha³"), ordinal
// indicators only after one letter ("Nº", "Mª José").
const (
	joiners      = "’‘´·‐‑‒–—"
	quotes       = "«»‹›“”‘’"
	afterLetter  = joiners + quotes + "…®™©℗°†‡•ªº"
	beforeLetter = joiners + quotes + "„‚¿¡°•…"
	superscripts = "¹²³"
)

// neutral is a letter of no language in particular.
const neutral = 'µ'

// ordinals are letters to Unicode but marks after a number or an "N" to
// the languages that write them ("1º", "Nª"), never inside a word.
const ordinals = "ªº"

// word is one word of a reading, and what it tells.
type word struct {
	bad     rune   // a character no language writes where it is; 0 if none
	letters []rune // its letters beyond ASCII, lower case, when not bad
}

// eachWord calls fn with every word of text that holds a character beyond
// ASCII. Words end at spaces and at ASCII characters other than letters,
// so separators, quotes and digits never join two words. The word's
// letters are only valid during the call.
func eachWord(text []rune, fn func(word)) {
	var letters []rune
	start := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && !isBoundary(text[i]) {
			continue
		}
		if start < i {
			glued := start > 0 && isASCIIDigit(text[start-1]) || i < len(text) && isASCIIDigit(text[i])
			var w word
			var ok bool
			if w, letters, ok = judge(text[start:i], glued, letters[:0]); ok {
				fn(w)
			}
		}
		start = i + 1
	}
}

func isBoundary(r rune) bool {
	if r < utf8.RuneSelf {
		return !isASCIILetter(r)
	}
	return unicode.IsSpace(r)
}

// judge reads one word, appending its letters beyond ASCII to letters; ok
// is false when it holds only ASCII letters, or is a single letter glued
// to a number, which tells nothing ("Ø50" is a diameter in any language).
func judge(w []rune, glued bool, letters []rune) (_ word, _ []rune, ok bool) {
	ascii := true
	for i, r := range w {
		if r < utf8.RuneSelf {
			continue
		}
		ascii = false
		if misplaced(w, i) {
			return word{bad: r}, letters, true
		}
		if isLetter(r) && r != neutral {
			letters = append(letters, unicode.ToLower(r))
		}
	}
	if ascii || glued && len(w) == 1 {
		return word{}, letters, false
	}
	return word{letters: letters}, letters, true
}

// misplaced reports whether the character at w[i] is one no language
// writes there: a byte that means no character (a C1 control, the
// replacement character, the generic currency sign "¤"), a capital after a
// small letter inside a word ("£ódŸ"), or a symbol touching a letter
// where only mojibake puts one ("Spó³ka", "£ód¼", "MÃ¼ller").
func misplaced(w []rune, i int) bool {
	r := w[i]
	if r >= 0x80 && r <= 0x9F || r == utf8.RuneError || r == '¤' {
		return true
	}
	before := i > 0 && isLetter(w[i-1])
	after := i+1 < len(w) && isLetter(w[i+1])
	if isLetter(r) {
		return before && unicode.IsUpper(r) && unicode.IsLower(w[i-1]) && unicode.Is(unicode.Latin, r)
	}
	if !fromCodePage(r) {
		return false // combining accents, soft hyphens, CJK punctuation...
	}
	switch {
	case before && after:
		return !strings.ContainsRune(joiners, r)
	case before:
		switch {
		case strings.ContainsRune(superscripts, r):
			return lettersBefore(w, i) > 2
		case strings.ContainsRune(ordinals, r):
			return lettersBefore(w, i) > 1 // "Nº", "Mª", not "Mureº"
		}
		return !strings.ContainsRune(afterLetter, r)
	case after:
		return !strings.ContainsRune(beforeLetter, r)
	}
	return false
}

// fromCodePage reports whether r is a symbol that the single-byte code
// pages have, and so one that mojibake puts between letters: the symbols
// of Latin-1 (U+00A1-U+00BF, × and ÷), the spacing accents and the
// punctuation of the Windows code pages. Other symbols (a Japanese "・"
// between katakana) are not judged.
func fromCodePage(r rune) bool {
	switch {
	case r >= 0xA1 && r <= 0xBF, r == 0xD7, r == 0xF7:
		return r != 0xAD // the soft hyphen hides inside words
	case r >= 0x2C6 && r <= 0x2DD, r >= 0x2013 && r <= 0x203A:
		return true
	}
	return r == '€' || r == '™'
}

// isLetter is unicode.IsLetter without the ordinal indicators, which
// misplaced treats as symbols.
func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIILetter(r)
	}
	return r != 'ª' && r != 'º' && unicode.IsLetter(r)
}

func lettersBefore(w []rune, i int) int {
	n := 0
	for j := i - 1; j >= 0 && isLetter(w[j]); j-- {
		n++
	}
	return n
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isASCIIDigit(r rune) bool  { return r >= '0' && r <= '9' }

// firstMisplaced returns the first character of text that no language
// writes where it is, and whether it sits between letters; 0 when there
// is none.
func firstMisplaced(text string) (bad rune, between bool) {
	eachWord([]rune(text), func(w word) {
		if bad == 0 && w.bad != 0 {
			bad = w.bad
		}
	})
	if bad != 0 {
		between = isBetweenLetters(text, bad)
	}
	return bad, between
}

// isBetweenLetters reports whether the first r in text has a letter on
// both sides.
func isBetweenLetters(text string, r rune) bool {
	i := strings.IndexRune(text, r)
	if i <= 0 {
		return false
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
	return isLetter(prev) && isLetter(next)
}

// scriptOf names the writing system of a letter, joining the ones that
// write one language together (Han and kana, Hangul).
func scriptOf(r rune) string {
	switch {
	case r < utf8.RuneSelf || unicode.Is(unicode.Latin, r):
		return "latin"
	case unicode.Is(unicode.Cyrillic, r):
		return "cyrillic"
	case unicode.Is(unicode.Greek, r):
		return "greek"
	case unicode.Is(unicode.Arabic, r):
		return "arabic"
	case unicode.Is(unicode.Hebrew, r):
		return "hebrew"
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return "cjk"
	}
	return "other"
}

// plausibleScript reports whether text, read in an encoding of another
// script than Latin, looks like text: no character misplaced, and words
// each in one script (a Polish file read as Cyrillic mixes "Sp" with
// Cyrillic letters inside one word).
func plausibleScript(text string) bool {
	words, mixed := 0, 0
	ok := true
	var buf []rune
	check := func() {
		if len(buf) == 0 {
			return
		}
		script := ""
		for i, r := range buf {
			if misplaced(buf, i) {
				ok = false
			}
			if !isLetter(r) {
				continue
			}
			s := scriptOf(r)
			if script == "" {
				script = s
			} else if s != script {
				mixed++
				break
			}
		}
		words++
		buf = buf[:0]
	}
	for _, r := range text {
		if r < utf8.RuneSelf && !isASCIILetter(r) || unicode.IsSpace(r) {
			check()
			continue
		}
		buf = append(buf, r)
	}
	check()
	return ok && mixed*10 <= words
}
