package plan

import (
	"cmp"
	"slices"
)

// Summary is the preview of one user's plan.
type Summary struct {
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
	// Sample shows some operations field by field: updates first, then
	// creates, then deletes, each in row order.
	Sample []Op `json:"sample,omitempty"`
}

// Total is the number of operations: every row, plus the deletes.
func (s Summary) Total() int { return s.Rows + s.Deletes }

// Summarize counts ops and picks a sample of at most sampleSize changes
// (DefaultSampleSize when 0).
func Summarize(rows int, ops []Op, sampleSize int) Summary {
	if sampleSize == 0 {
		sampleSize = DefaultSampleSize
	}
	s := Summary{Rows: rows}
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
	rank := map[OpKind]int{OpUpdate: 1, OpCreate: 2, OpDelete: 3}
	var sample []Op
	for _, op := range ops {
		if rank[op.Kind] > 0 {
			sample = append(sample, op)
		}
	}
	slices.SortStableFunc(sample, func(a, b Op) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(a.Row, b.Row), cmp.Compare(a.ID, b.ID))
	})
	if len(sample) > sampleSize {
		sample = sample[:sampleSize]
	}
	s.Sample = sample
	return s
}
