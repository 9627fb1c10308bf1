package value

import (
	"strconv"
	"strings"
)

// currency marks and units tenants leave in number cells.
var numberNoise = strings.NewReplacer(
	"€", "", "$", "", "£", "", "R$", "", "zł", "", "kr", "", "CHF", "", "EUR", "", "USD", "", "SEK", "", "PLN", "", "BRL", "", "%", "",
)

// spaceGroups are the thousands separators other than . and , (French and
// Swedish spaces, Swiss apostrophes); they become '_' and must group by 3.
var spaceGroups = strings.NewReplacer(" ", "_", "\u00a0", "_", "\u202f", "_", "\u2009", "_", "'", "_", "’", "_")

// Number reads a number written with a decimal comma or point and
// optional thousands separators (1.234,56 / 1,234.56 / 1 234,56 / 1'234.56)
// and returns it with a decimal point and no grouping: 1234.56. When one
// separator could be either (1.234 or 1,234), the locale decides: it is the
// decimal separator if the locale's, else a thousands separator when three
// digits follow it. Currency signs and a percent sign are dropped.
func (l Locale) Number(s string) (string, error) {
	v, _, err := l.ReadNumber(s)
	return v, err
}

// ReadNumber is Number that also says which decimal separator the text
// itself proves: ',' for 1.234,56, 1,5, 0,123 or 1.234.567; '.' for
// 1,234.56, 0.5 or 1,234,567; 0 when only the locale can tell (1.234,
// 1,234, 42). A column whose cells prove different separators mixes
// conventions, which Number alone cannot see.
func (l Locale) ReadNumber(s string) (v string, decimal byte, err error) {
	text, plain := s, plainNumber(s)
	if !plain {
		s = numberNoise.Replace(s)
	}
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"): // accounting negative
		neg = true
		s = s[1 : len(s)-1]
	}
	if strings.HasSuffix(s, "-") { // 1.234,56- as some ERPs export
		neg = true
		s = s[:len(s)-1]
	}
	s = strings.TrimSpace(s)
	if !plain {
		s = spaceGroups.Replace(s)
	}
	if strings.ContainsAny(s, "eE") { // 1.5E+06 from a spreadsheet's scientific format
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, ",") {
			v, _ := canonical(neg, strconv.FormatFloat(f, 'f', -1, 64))
			return v, 0, nil
		}
		return "", 0, l.notANumber()
	}
	intPart, frac, decimal, ok := l.split(s)
	if !ok {
		return "", 0, l.notANumber()
	}
	return canonicalOf(neg, intPart, frac, text), decimal, nil
}

// plainNumber says whether s holds only digits, separators and signs,
// none of which numberNoise or spaceGroups replace: most cells, which the
// replacers would only copy.
func plainNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == ',', c == '-', c == '+', c == '(', c == ')':
		default:
			return false
		}
	}
	return true
}

func (l Locale) notANumber() error {
	return fail("is not a number: expected something like %s", l.NumberExample())
}

// split finds the decimal separator of s and returns the digits before and
// after it, without thousands separators, and the decimal separator s
// proves by itself (0 when the locale decided).
func (l Locale) split(s string) (intPart, frac string, proven byte, ok bool) {
	if s == "" {
		return "", "", 0, false
	}
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	var dec, group byte
	switch {
	case lastDot < 0 && lastComma < 0:
		whole, ok := ungroup(s, 0)
		return whole, "", 0, ok
	case lastDot >= 0 && lastComma >= 0: // both: the last one is the decimal
		dec, group = '.', ','
		if lastComma > lastDot {
			dec, group = ',', '.'
		}
		proven = dec
	default:
		sep, other := byte('.'), byte(',')
		if lastComma >= 0 {
			sep, other = ',', '.'
		}
		n := strings.Count(s, string(sep))
		i := strings.LastIndexByte(s, sep)
		whole, after := s[:i], s[i+1:]
		switch {
		case n > 1: // 1.234.567
			dec, group, proven = 0, sep, other
		case len(after) != 3 || notGrouped(whole): // 1,5 or 0,123: only a decimal separator fits
			dec, group, proven = sep, 0, sep
		case sep == l.Decimal:
			dec, group = sep, 0
		default: // 1.234 in de-DE, 1,234 in en-US
			dec, group = 0, sep
		}
	}
	whole, fraction := s, ""
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		whole, fraction = s[:i], s[i+1:]
		if fraction != "" && !allDigits(fraction) {
			return "", "", 0, false
		}
	}
	if whole == "" && fraction == "" {
		return "", "", 0, false
	}
	if whole == "" {
		return "", fraction, proven, true
	}
	whole, ok = ungroup(whole, group)
	return whole, fraction, proven, ok
}

// notGrouped says whether the digits before a lone separator cannot be the
// first group of a thousands-grouped number: none (,123), a leading zero
// (0,123), more than three digits (1234,567) or groups of their own
// (1 234,567, whose spaces group the thousands).
func notGrouped(whole string) bool {
	return whole == "" || whole[0] == '0' || len(whole) > 3 || strings.IndexByte(whole, '_') >= 0
}

// ungroup removes the thousands separators from the integer part s: group
// (if not 0) or '_' (a space). Every group but the first has three digits.
func ungroup(s string, group byte) (string, bool) {
	if strings.IndexByte(s, '_') < 0 && (group == 0 || strings.IndexByte(s, group) < 0) {
		if !allDigits(s) { // one group, as ungroupAll would find
			return "", false
		}
		return s, true
	}
	return ungroupAll(s, group)
}

func ungroupAll(s string, group byte) (string, bool) {
	var groups []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '_' || (group != 0 && s[i] == group) {
			groups = append(groups, s[start:i])
			start = i + 1
		}
	}
	for i, g := range groups {
		if !allDigits(g) || (len(groups) > 1 && ((i == 0 && len(g) > 3) || (i > 0 && len(g) != 3))) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

// canonical trims leading zeros of the integer part and trailing zeros of
// the fraction, so equal numbers are equal strings.
func canonical(neg bool, s string) (string, error) {
	whole, frac, _ := strings.Cut(s, ".")
	return canonicalOf(neg, whole, frac, ""), nil
}

// canonicalOf is canonical of whole.frac, written with one allocation, or
// none when it is text itself (a cell already written canonically).
func canonicalOf(neg bool, whole, frac, text string) string {
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	var buf [64]byte
	b := buf[:0]
	if neg && (whole != "0" || frac != "") {
		b = append(b, '-')
	}
	b = append(b, whole...)
	if frac != "" {
		b = append(b, '.')
		b = append(b, frac...)
	}
	if string(b) == text {
		return text
	}
	return string(b)
}

// FormatNumber writes a number cell's value canonically.
func FormatNumber(f float64) string {
	s, _ := canonical(f < 0, strconv.FormatFloat(abs(f), 'f', -1, 64))
	return s
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
