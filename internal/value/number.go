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
	s = strings.TrimSpace(numberNoise.Replace(s))
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
	s = spaceGroups.Replace(strings.TrimSpace(s))
	if strings.ContainsAny(s, "eE") { // 1.5E+06 from a spreadsheet's scientific format
		if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, ",") {
			return canonical(neg, strconv.FormatFloat(f, 'f', -1, 64))
		}
		return "", l.notANumber()
	}
	intPart, frac, ok := l.split(s)
	if !ok {
		return "", l.notANumber()
	}
	return canonical(neg, intPart+"."+frac)
}

func (l Locale) notANumber() error {
	return fail("is not a number: expected something like %s", l.NumberExample())
}

// split finds the decimal separator of s and returns the digits before and
// after it, without thousands separators.
func (l Locale) split(s string) (intPart, frac string, ok bool) {
	if s == "" {
		return "", "", false
	}
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	var dec, group byte
	switch {
	case lastDot < 0 && lastComma < 0:
		whole, ok := ungroup(s, 0)
		return whole, "", ok
	case lastDot >= 0 && lastComma >= 0: // both: the last one is the decimal
		dec, group = '.', ','
		if lastComma > lastDot {
			dec, group = ',', '.'
		}
	default:
		sep := byte('.')
		if lastComma >= 0 {
			sep = ','
		}
		n := strings.Count(s, string(sep))
		after := s[strings.LastIndexByte(s, sep)+1:]
		switch {
		case n > 1: // 1.234.567
			dec, group = 0, sep
		case sep == l.Decimal:
			dec, group = sep, 0
		case len(after) == 3: // 1.234 in de-DE, 1,234 in en-US
			dec, group = 0, sep
		default: // 1.5 in de-DE, 1,5 in en-US: only a decimal separator fits
			dec, group = sep, 0
		}
	}
	whole, fraction := s, ""
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		whole, fraction = s[:i], s[i+1:]
		if fraction != "" && !allDigits(fraction) {
			return "", "", false
		}
	}
	if whole == "" && fraction == "" {
		return "", "", false
	}
	if whole == "" {
		return "", fraction, true
	}
	whole, ok = ungroup(whole, group)
	return whole, fraction, ok
}

// ungroup removes the thousands separators from the integer part s: group
// (if not 0) or '_' (a space). Every group but the first has three digits.
func ungroup(s string, group byte) (string, bool) {
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
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out, nil
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
