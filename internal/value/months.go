package value

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/crmimport/crm-import/internal/schema"
)

// monthNames are the names and abbreviations of the months in the
// languages tenants write, as dates like "31 Dec 2026", "Dec 31, 2026",
// "31. Dezember 2026", "31 de dezembro de 2026" or "31 grudnia 2026" use
// them (Polish dates take the genitive).
var monthNames = [12][]string{
	{"january", "jan", "januar", "janvier", "janv", "gennaio", "gen", "enero", "ene", "janeiro", "styczeń", "stycznia", "sty", "januari"},
	{"february", "feb", "februar", "février", "févr", "fevr", "febbraio", "febrero", "fevereiro", "fev", "luty", "lutego", "lut", "februari"},
	{"march", "mar", "märz", "mär", "mars", "marzo", "março", "marzec", "marca"},
	{"april", "apr", "avril", "avr", "aprile", "abril", "abr", "kwiecień", "kwietnia", "kwi"},
	{"may", "mai", "maggio", "mag", "mayo", "maio", "maj", "maja"},
	{"june", "jun", "juni", "juin", "giugno", "giu", "junio", "junho", "czerwiec", "czerwca", "cze"},
	{"july", "jul", "juli", "juillet", "juil", "luglio", "lug", "julio", "julho", "lipiec", "lipca", "lip"},
	{"august", "aug", "août", "aout", "agosto", "ago", "sierpień", "sierpnia", "sie", "augusti"},
	{"september", "sep", "sept", "septembre", "settembre", "set", "septiembre", "setiembre", "setembro", "wrzesień", "września", "wrz"},
	{"october", "oct", "oktober", "okt", "octobre", "ottobre", "ott", "octubre", "outubro", "out", "październik", "października", "paź"},
	{"november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada", "lis"},
	{"december", "dec", "dezember", "dez", "décembre", "déc", "dicembre", "dic", "diciembre", "dezembro", "grudzień", "grudnia", "gru"},
}

var monthIndex = func() map[string]time.Month {
	m := map[string]time.Month{}
	for i, names := range monthNames {
		for _, n := range names {
			m[schema.Fold(n)] = time.Month(i + 1)
		}
	}
	return m
}()

// ordinals are the suffixes of a day number: 1er, 1st, 2nd, 3rd, 4th, 1º.
var ordinals = map[string]bool{"er": true, "re": true, "st": true, "nd": true, "rd": true, "th": true, "o": true, "a": true}

// namedMonthDay reads a date whose month is written as a word. It reports
// false when s is not of that form.
func namedMonthDay(s string) (y, m, d int, ok bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var nums []string
	month := time.Month(0)
	for _, w := range words {
		if n := strings.IndexFunc(w, unicode.IsLetter); n > 0 && allDigits(w[:n]) && ordinals[schema.Fold(w[n:])] {
			w = w[:n] // 1er janvier, January 1st
		}
		switch lw := schema.Fold(w); {
		case allDigits(w):
			nums = append(nums, w)
		case lw == "de" || lw == "del": // 31 de dezembro de 2026
		default:
			mo, known := monthIndex[lw]
			if !known || month != 0 {
				return 0, 0, 0, false
			}
			month = mo
		}
	}
	if month == 0 || len(nums) != 2 {
		return 0, 0, 0, false
	}
	day, year := nums[0], nums[1]
	if len(day) == 4 { // 2026 Dec 31
		day, year = year, day
	}
	if len(year) != 4 || len(day) > 2 {
		return 0, 0, 0, false
	}
	y, _ = strconv.Atoi(year)
	d, _ = strconv.Atoi(day)
	return y, int(month), d, true
}
