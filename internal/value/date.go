package value

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Excel's day 0 is 1899-12-30 from day 61 on: Lotus 1-2-3 counted a 29
// February 1900 that never was, and Excel kept the count.
var (
	excelEpoch      = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEarlyEpoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Serial days outside this range are not dates but numbers.
const maxSerial = 2958465 // 9999-12-31

// FromSerial converts an Excel serial day number (with a fraction for the
// time of day) to a wall-clock time.
func FromSerial(serial float64) (time.Time, bool) {
	if serial < 1 || serial >= maxSerial+1 || math.IsNaN(serial) {
		return time.Time{}, false
	}
	days := math.Floor(serial)
	epoch := excelEpoch
	if days < 61 {
		epoch = excelEarlyEpoch
	}
	secs := math.Round((serial - days) * 86400)
	return epoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), true
}

// Date reads a day as the locale writes it (31.12.2026, 31/12/2026, or
// 12/31/2026 in en-US), in ISO form (2026-12-31) or as eight digits
// (20261231), and returns it as 2006-01-02.
//
// A bare number such as 45000 is not a day: in text it is far more often a
// typo, an amount or an ID in the wrong column than an Excel serial day,
// and Excel writes its dates as dates when it saves text. Serial days are
// read from the number cells of workbooks only (Parser.Cell).
//
// A time of day after the date must be midnight (2026-12-31 00:00:00, as
// systems that store days as date-times export them): any other time would
// be lost, and a column that holds times belongs in a date-and-time field.
func (l Locale) Date(s string) (string, error) {
	datePart, timePart := splitDateTime(strings.TrimSpace(s))
	t, err := l.day(datePart)
	if err != nil {
		return "", err
	}
	if timePart != "" {
		c, ok := clock(strings.TrimSuffix(timePart, "Z"))
		if !ok {
			return "", l.notADate()
		}
		if c != 0 {
			return "", fail("has a time of day (%s), but this column holds a day only: remove the time, or map the column to a date-and-time field", timePart)
		}
	}
	var buf [10]byte
	if day := appendDay(buf[:0], t); string(day) != datePart {
		return string(day), nil
	}
	return datePart, nil // the same text, without another copy of it
}

// formatDay is t.Format(time.DateOnly) for the days ymd returns, whose
// years have four digits, at a tenth of its cost.
func formatDay(t time.Time) string {
	var buf [10]byte
	return string(appendDay(buf[:0], t))
}

func appendDay(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// DateOrderOf says in which order the day and month of the date s must be
// read whatever the locale: DMY for 25/04/2026 or 01.02.2025 (dotted, since
// nobody writes month.day.year), MDY for 04/25/2026. ok is false when either
// order fits (03/04/2026), when the year comes first, or when s is not a
// date of numbers. A column whose cells prove different orders mixes
// conventions, which Date alone cannot see.
func DateOrderOf(s string) (order DateOrder, dotted, ok bool) {
	datePart, _ := splitDateTime(strings.TrimSpace(s))
	if len(datePart) < 5 || datePart[0] < '0' || datePart[0] > '9' {
		return 0, false, false
	}
	sepAt := strings.IndexFunc(datePart, func(r rune) bool { return r < '0' || r > '9' })
	if sepAt <= 0 || sepAt > 2 {
		return 0, false, false
	}
	sep := datePart[sepAt]
	parts := strings.Split(datePart, string(sep))
	if (sep != '.' && sep != '/' && sep != '-') || len(parts) != 3 {
		return 0, false, false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 4 || !allDigits(p) {
			return 0, false, false
		}
	}
	if sep == '.' {
		return DMY, true, true
	}
	a, _ := strconv.Atoi(parts[0])
	b, _ := strconv.Atoi(parts[1])
	switch {
	case a > 12 && a <= 31 && b >= 1 && b <= 12:
		return DMY, false, true
	case b > 12 && b <= 31 && a >= 1 && a <= 12:
		return MDY, false, true
	}
	return 0, false, false
}

// DateTime reads a date and time of day (31.12.2026 14:30, 12/31/2026 2:30
// PM, 2026-12-31T14:30:00+01:00, an Excel serial with a fraction) and
// returns it as RFC 3339 in UTC. A time without an offset is a wall-clock
// time in zone; a date alone is midnight there.
func (l Locale) DateTime(s string, zone *time.Location) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 20 && s[4] == '-' {
		if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "T", 1)); err == nil {
			return t.UTC().Format(time.RFC3339), nil
		}
	}
	datePart, timePart := splitDateTime(s)
	t, err := l.day(datePart)
	if err != nil {
		return "", l.notADateTime()
	}
	if timePart != "" {
		c, ok := clock(timePart)
		if !ok {
			return "", l.notADateTime()
		}
		t = t.Add(c)
	}
	return InZone(t, zone).UTC().Format(time.RFC3339), nil
}

// InZone reads the wall clock of t (whatever its location) as a time in zone.
func InZone(t time.Time, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
}

func (l Locale) notADate() error {
	return fail("is not a date: expected a day like %s", l.DateExample())
}

func (l Locale) notADateTime() error {
	return fail("is not a date and time: expected something like %s 14:30", l.DateExample())
}

// splitDateTime cuts "31.12.2026 14:30", "Dec 31, 2026 2:30 PM" or
// "2026-12-31T14:30" into date and time: the time starts with the word that
// holds the first colon.
func splitDateTime(s string) (string, string) {
	if len(s) > 10 && s[10] == 'T' && s[4] == '-' {
		return s[:10], s[11:]
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return s, ""
	}
	start := strings.LastIndexByte(s[:colon], ' ')
	if start < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:start]), strings.TrimSpace(s[start+1:])
}

// day reads the date part, returning midnight UTC of that day.
func (l Locale) day(s string) (time.Time, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:]) {
		return l.ymd(s[:4], s[5:7], s[8:]) // 2026-12-31, as dayGeneral reads it, without splitting
	}
	return l.dayGeneral(s)
}

func (l Locale) dayGeneral(s string) (time.Time, error) {
	if allDigits(s) {
		if len(s) == 8 { // 20261231
			return l.ymd(s[:4], s[4:6], s[6:])
		}
		return time.Time{}, l.notADate()
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		y, m, d, ok := namedMonthDay(s)
		if !ok {
			return time.Time{}, l.notADate()
		}
		return l.ymd(strconv.Itoa(y), strconv.Itoa(m), strconv.Itoa(d))
	}
	sepAt := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if sepAt <= 0 {
		return time.Time{}, l.notADate()
	}
	sep := s[sepAt]
	if sep != '.' && sep != '/' && sep != '-' {
		return time.Time{}, l.notADate()
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return time.Time{}, l.notADate()
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 4 || !allDigits(p) {
			return time.Time{}, l.notADate()
		}
	}
	switch {
	case len(parts[0]) == 4:
		return l.ymd(parts[0], parts[1], parts[2])
	case l.Order == MDY && sep != '.': // nobody writes month.day.year
		return l.ymd(parts[2], parts[0], parts[1])
	default:
		return l.ymd(parts[2], parts[1], parts[0])
	}
}

func (l Locale) ymd(ys, ms, ds string) (time.Time, error) {
	if len(ys) != 4 {
		return time.Time{}, fail("is not a date: write the year with four digits, like %s", l.DateExample())
	}
	if len(ms) > 2 || len(ds) > 2 {
		return time.Time{}, l.notADate()
	}
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if y < 1000 {
		return time.Time{}, fail("is not a date: the year %s is not plausible (expected a day like %s)", ys, l.DateExample())
	}
	if m < 1 || m > 12 {
		return time.Time{}, fail("is not a date: there is no month %d (expected a day like %s)", m, l.DateExample())
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return time.Time{}, fail("is not a date: %s %d has no day %d", time.Month(m), y, d)
	}
	return t, nil
}

// clock reads a time of day: 14:30, 14:30:15, 14:30:15.000, 2:30 PM.
func clock(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	pm, am := false, false
	if u := strings.ToUpper(s); strings.HasSuffix(u, "PM") || strings.HasSuffix(u, "AM") {
		pm, am = strings.HasSuffix(u, "PM"), strings.HasSuffix(u, "AM")
		s = strings.TrimSpace(s[:len(s)-2])
	}
	if i := strings.IndexByte(s, '.'); i > 0 {
		if !allDigits(s[i+1:]) {
			return 0, false
		}
		s = s[:i] // fractions of a second are dropped
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var hms [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 2 || !allDigits(p) {
			return 0, false
		}
		hms[i], _ = strconv.Atoi(p)
	}
	h, m, sec := hms[0], hms[1], hms[2]
	if am || pm {
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
