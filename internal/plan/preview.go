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
	// Sample shows some operations field by field: updates first, then
	// creates, then deletes, each in row order.
	Sample []Op `json:"sample,omitempty"`
}

// Total is the number of operations: every row, plus the deletes.
func (s Preview) Total() int { return s.Rows + s.Deletes }

// Summarize counts ops and picks a sample of at most sampleSize changes
// (DefaultSampleSize when 0).
func Summarize(rows int, ops []Op, sampleSize int) Preview {
	if sampleSize == 0 {
		sampleSize = DefaultSampleSize
	}
	s := Preview{Rows: rows}
	for _, op := range ops {
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
	}
	// Sorting small (rank, row, index) triples, not the ops themselves,
	// keeps this cheap for a plan of 100,000 ops.
	rank := map[OpKind]int{OpUpdate: 1, OpCreate: 2, OpDelete: 3}
	type pick struct{ rank, row, i int }
	var picks []pick
	for i, op := range ops {
		if r := rank[op.Kind]; r > 0 {
			picks = append(picks, pick{r, op.Row, i})
		}
	}
	slices.SortFunc(picks, func(a, b pick) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.row, b.row), cmp.Compare(a.i, b.i))
	})
	sample := make([]Op, 0, min(len(picks), sampleSize))
	for _, p := range picks[:min(len(picks), sampleSize)] {
		sample = append(sample, ops[p.i])
	}
	s.Sample = sample
	return s
}
