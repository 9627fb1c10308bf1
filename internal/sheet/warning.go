package sheet

import "fmt"

// A note is something a source read in a way the tenant should check,
// worded by the table (which knows the column titles) as a warning.
type note struct {
	row, column int // 1-based
	reason      string
}

// noter is a source that has notes; the table asks it once reading is done.
type noter interface {
	notes() []note
}

// maxQuoteNotes is how many cells with a bare quote are named one by one;
// the others are counted, so a file of a million inch marks makes one
// more line, not a million.
const maxQuoteNotes = 10

// quoteNotes collects the cells whose quote was read as part of the value
// because the value does not start with one.
type quoteNotes struct {
	named []note
	more  int
}

func (q *quoteNotes) add(row, column int, value string) {
	if len(q.named) == maxQuoteNotes {
		q.more++
		return
	}
	q.named = append(q.named, note{row: row, column: column, reason: fmt.Sprintf(
		`the value ‘%s’ holds a quote (") but does not start with one, so the quote is read as part of the value, as spreadsheet programs read it; if it was meant to enclose the value, put the whole value in quotes`,
		clip(value))})
}

func (q *quoteNotes) list() []note {
	if q.more == 0 {
		return q.named
	}
	return append(q.named[:len(q.named):len(q.named)], note{reason: fmt.Sprintf(
		`%d more values hold a quote (") but do not start with one; they are read the same way`, q.more)})
}
