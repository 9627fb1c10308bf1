package plan

import (
	"cmp"
	"slices"

	"github.com/crmimport/crm-import/internal/links"
)

// Preview is what the tenant sees of one user's plan before it is applied:
// the counts of each operation and a sample of changes, field by field.
type Preview struct {
	Rows      int `json:"rows"`
	Creates   int `json:"creates"`
	Updates   int `json:"updates"`
	Unchanged int `json:"unchanged"`
	Deletes   int `json:"deletes"`
	Skipped   int `json:"skipped"`
	Errors    int `json:"errors"`
	// Matched is how many rows match an existing record ("N rows match
	// existing records"): a wrong key choice shows up here before it does
	// damage.
	Matched int `json:"matched"`
	// FieldChanges counts, per field, the records whose field an update
	// changes.
	FieldChanges map[string]int `json:"field_changes,omitempty"`
	// Unresolved lists the names and numbers of other records (a contact's
	// company) that named no record or several, with their rows: those
	// rows are errors, and this is the list to correct them from.
	Unresolved []links.Unresolved `json:"unresolved,omitempty"`
	// Linked counts, per entity, the records the rows create to link to
	// (a contact's company, configuration create_linked): their plan is
	// applied before these rows'.
	Linked map[string]int `json:"linked,omitempty"`
	// Sample shows some operations field by field: updates first, then
	// creates, then deletes, each in row order.
	Sample []Op `json:"sample,omitempty"`
}

// Total is the number of operations: every row, plus the deletes.
func (s Preview) Total() int { return s.Rows + s.Deletes }

// Summarize counts ops and picks a sample of at most sampleSize changes
// (DefaultSampleSize when 0).
func Summarize(rows int, ops []Op, sampleSize int) Preview {
	s := newSummary(rows, sampleSize)
	for _, op := range ops {
		s.add(op)
	}
	return s.preview()
}

// summary makes a Preview from ops given one at a time in plan order,
// keeping only the counts and the sample: a plan streamed to a file is
// summarised without being held.
type summary struct {
	s     Preview
	size  int
	n     int    // ops added
	picks []pick // the sample so far, best first, at most size
}

// pick is an op of the sample and what orders it: updates first, then
// creates, then deletes, each in row order, then in plan order.
type pick struct {
	rank, row, i int
	op           Op
}

var sampleRank = map[OpKind]int{OpUpdate: 1, OpCreate: 2, OpDelete: 3}

func comparePicks(a, b pick) int {
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.row, b.row), cmp.Compare(a.i, b.i))
}

func newSummary(rows, sampleSize int) *summary {
	if sampleSize == 0 {
		sampleSize = DefaultSampleSize
	}
	return &summary{s: Preview{Rows: rows}, size: sampleSize}
}

// add counts op, the next of the plan, and keeps it if it is among the
// sample so far.
func (m *summary) add(op Op) {
	s := &m.s
	switch op.Kind {
	case OpCreate:
		s.Creates++
	case OpUpdate:
		s.Updates++
		s.Matched++
		for _, c := range op.Changes {
			if s.FieldChanges == nil {
				s.FieldChanges = map[string]int{}
			}
			s.FieldChanges[c.Field]++
		}
	case OpUnchanged:
		s.Unchanged++
		s.Matched++
	case OpDelete:
		s.Deletes++
	case OpSkip:
		s.Skipped++
		if op.ID != "" { // a row of add mode whose record exists
			s.Matched++
		}
	case OpError:
		s.Errors++
	}
	i := m.n
	m.n++
	r := sampleRank[op.Kind]
	if r == 0 || m.size <= 0 {
		return
	}
	p := pick{rank: r, row: op.Row, i: i, op: op}
	if len(m.picks) == m.size && comparePicks(p, m.picks[len(m.picks)-1]) >= 0 {
		return
	}
	at, _ := slices.BinarySearchFunc(m.picks, p, comparePicks)
	m.picks = slices.Insert(m.picks, at, p)
	if len(m.picks) > m.size {
		m.picks = m.picks[:m.size]
	}
}

// preview is the summary of the ops added.
func (m *summary) preview() Preview {
	s := m.s
	s.Sample = make([]Op, 0, len(m.picks))
	for _, p := range m.picks {
		s.Sample = append(s.Sample, p.op)
	}
	return s
}
