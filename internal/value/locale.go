// Package value parses the cells of a tenant's file into canonical values:
// dates as 2006-01-02, date-times as RFC 3339, numbers with a decimal point
// and no grouping, phone numbers as E.164. A value that cannot be read is an
// *Error whose message says why in the tenant's words.
package value

import (
	"fmt"

	"golang.org/x/text/language"
)

// DateOrder is the order of day, month and year in a locale's short dates.
type DateOrder int

const (
	DMY DateOrder = iota // 31.12.2026, 31/12/2026
	MDY                  // 12/31/2026
	YMD                  // 2026-12-31
)

// Locale is what parsing needs to know about the tenant's conventions.
type Locale struct {
	Tag     string    // BCP 47, e.g. "de-DE"
	Region  string    // ISO 3166 region phone numbers without a country code belong to
	Order   DateOrder // how d/m/y dates are read when the year is not first
	Decimal byte      // '.' or ','; the other one groups thousands
	DateSep byte      // the separator the locale writes dates with, for examples
}

// DateExample returns the last day of 2026 as the locale writes it, for
// messages that show the tenant what is expected.
func (l Locale) DateExample() string {
	sep := string(l.DateSep)
	switch l.Order {
	case MDY:
		return "12" + sep + "31" + sep + "2026"
	case YMD:
		return "2026" + sep + "12" + sep + "31"
	default:
		return "31" + sep + "12" + sep + "2026"
	}
}

// NumberExample returns 1234.56 as the locale writes it.
func (l Locale) NumberExample() string {
	if l.Decimal == ',' {
		return "1.234,56"
	}
	return "1,234.56"
}

type convention struct {
	order   DateOrder
	decimal byte
	dateSep byte
}

// conventions per language; regions that differ are listed in regional.
var conventions = map[string]convention{
	"en": {DMY, '.', '/'}, "de": {DMY, ',', '.'}, "fr": {DMY, ',', '/'}, "it": {DMY, ',', '/'},
	"es": {DMY, ',', '/'}, "pt": {DMY, ',', '/'}, "pl": {DMY, ',', '.'}, "sv": {YMD, ',', '-'},
	"nl": {DMY, ',', '-'}, "da": {DMY, ',', '.'}, "nb": {DMY, ',', '.'}, "no": {DMY, ',', '.'},
	"fi": {DMY, ',', '.'}, "cs": {DMY, ',', '.'}, "hu": {YMD, ',', '.'}, "lt": {YMD, ',', '-'},
	"ja": {YMD, '.', '/'}, "zh": {YMD, '.', '/'}, "ko": {YMD, '.', '.'},
}

var regional = map[string]convention{
	"en-US": {MDY, '.', '/'}, "en-PH": {MDY, '.', '/'},
	"de-CH": {DMY, '.', '.'}, "de-LI": {DMY, '.', '.'}, "fr-CH": {DMY, '.', '.'}, "it-CH": {DMY, '.', '.'},
	"es-MX": {DMY, '.', '/'}, "es-US": {MDY, '.', '/'},
}

// ParseLocale reads a BCP 47 tag such as "de-DE", "pt-BR" or "en-US".
func ParseLocale(tag string) (Locale, error) {
	t, err := language.Parse(tag)
	if err != nil {
		return Locale{}, fmt.Errorf("unknown locale %q: expected a language and region like de-DE, pt-BR or en-US", tag)
	}
	base, _ := t.Base()
	region, _ := t.Region() // guessed from the language when absent: "de" -> DE
	c, ok := conventions[base.String()]
	if !ok {
		return Locale{}, fmt.Errorf("unsupported locale %q: the languages supported are %s", tag, supported())
	}
	key := base.String() + "-" + region.String()
	if r, ok := regional[key]; ok {
		c = r
	}
	return Locale{Tag: key, Region: region.String(), Order: c.order, Decimal: c.decimal, DateSep: c.dateSep}, nil
}

func supported() string {
	return "en, de, fr, it, es, pt, pl, sv, nl, da, nb, fi, cs, hu, lt, ja, zh, ko"
}
