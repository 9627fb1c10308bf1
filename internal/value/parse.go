package value

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
)

// MaxText is the most characters a text value may have: what one cell of
// Excel holds. Longer cells are a sign of a broken file, not of data.
const MaxText = 32767

// Parser reads cells for one import: the tenant's locale and time zone.
type Parser struct {
	Locale Locale
	Zone   *time.Location // for date-times without an offset; nil = UTC
}

// Cell returns the canonical value of c for field f, or "" when the cell is
// empty. A date or number cell is used as the spreadsheet typed it, never
// re-read from its display text; text keeps its leading zeros.
func (p Parser) Cell(f schema.Field, c sheet.Cell) (string, error) {
	text := strings.TrimSpace(c.Text)
	if c.Kind == sheet.Empty || (text == "" && c.Kind != sheet.Number && c.Kind != sheet.Date) {
		return "", nil
	}
	switch f.Type {
	case schema.Date:
		switch c.Kind {
		case sheet.Date:
			return c.Time.Format(time.DateOnly), nil
		case sheet.Number:
			if t, ok := serialCell(c.Number); ok {
				return t.Format(time.DateOnly), nil
			}
			return "", p.Locale.notADate()
		}
		return p.Locale.Date(text)
	case schema.DateTime:
		switch c.Kind {
		case sheet.Date:
			return InZone(c.Time, p.Zone).UTC().Format(time.RFC3339), nil
		case sheet.Number:
			if t, ok := serialCell(c.Number); ok {
				return InZone(t, p.Zone).UTC().Format(time.RFC3339), nil
			}
			return "", p.Locale.notADateTime()
		}
		return p.Locale.DateTime(text, p.Zone)
	case schema.Number:
		switch c.Kind {
		case sheet.Number:
			return FormatNumber(c.Number), nil
		case sheet.Date:
			return "", fail("is a date, not a number")
		}
		return p.Locale.Number(text)
	case schema.Email:
		return Email(text)
	case schema.Phone:
		if c.Kind == sheet.Number { // the display text may be 4.93E+10
			text = strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return p.Locale.Phone(text)
	case schema.NationalID:
		if c.Kind == sheet.Number {
			text = strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return NationalID(text, c.Kind == sheet.Number)
	case schema.Enum:
		return Enum(f.Values, text)
	default: // Text, Reference
		if c.Kind == sheet.Number && strings.ContainsAny(text, "Ee") {
			// A long number shown in scientific notation (1.23457E+13):
			// the digits the tenant typed are in the number, not the display.
			text = strconv.FormatFloat(c.Number, 'f', -1, 64)
		}
		return Text(text)
	}
}

// serialCell reads a number cell in a date column as an Excel serial day,
// with the same five-digit rule as text (isSerial): 2026 typed into a
// General-formatted date column is a year, not 18 July 1905.
func serialCell(n float64) (time.Time, bool) {
	if n < 10000 || n >= 100000 {
		return time.Time{}, false
	}
	return FromSerial(n)
}

// Text checks a text value: not longer than a spreadsheet cell, and no NUL
// characters, which only binary data has.
func Text(s string) (string, error) {
	if len(s) > MaxText && utf8.RuneCountInString(s) > MaxText {
		return "", fail("is longer than %d characters, the most a spreadsheet cell holds", MaxText)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", fail("contains a NUL character: the file may hold binary data")
	}
	if !utf8.ValidString(s) {
		return "", fail("contains bytes that are not text in the file's encoding")
	}
	return s, nil
}

// Enum returns the allowed value s names, ignoring case, accents and
// punctuation, and accepting the value's other spellings.
func Enum(values []schema.Value, s string) (string, error) {
	if name, ok := enumIndex(values)[schema.Fold(s)]; ok {
		return name, nil
	}
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = v.Name
	}
	return "", fail("is not one of the allowed values: %s", strings.Join(names, ", "))
}

// enumIndexes caches, per list of values (known by its first element), the
// value each folded spelling names: folding every title of a field for
// every cell would cost more than the rest of a row.
var enumIndexes sync.Map // *schema.Value -> map[string]string

func enumIndex(values []schema.Value) map[string]string {
	if len(values) == 0 {
		return nil
	}
	if m, ok := enumIndexes.Load(&values[0]); ok {
		return m.(map[string]string)
	}
	m := map[string]string{}
	for _, v := range values {
		for _, t := range v.Titles {
			m[schema.Fold(t)] = v.Name
		}
	}
	for _, v := range values { // a value's own name wins over a spelling
		m[schema.Fold(v.Name)] = v.Name
	}
	enumIndexes.Store(&values[0], m)
	return m
}
