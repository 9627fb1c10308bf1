package sheet

import "time"

// dateCell is a date or date-time cell. Its Text is ISO 8601, so it reads
// the same whatever display format the tenant's program used.
func dateCell(t time.Time) Cell {
	// Serial dates carry binary fractions: round to the millisecond.
	t = t.Round(time.Millisecond)
	text := t.Format("2006-01-02")
	if h, m, s := t.Clock(); h != 0 || m != 0 || s != 0 || t.Nanosecond() != 0 {
		text = t.Format("2006-01-02T15:04:05.999")
	}
	return Cell{Kind: Date, Text: text, Time: t}
}
