package apply

import (
	"fmt"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/plan"
)

// decision is what the re-check makes of one writing op.
type decision int

const (
	write decision = iota
	alreadyApplied
	conflict
)

// decide says what to do with op, given its record as the store holds it
// now (nil when there is none), and why when it is a conflict.
func decide(importID string, op plan.Op, cur *crm.Stored) (decision, string) {
	if cur != nil && cur.Unreadable {
		return conflict, "the stored record cannot be read, so it was not changed"
	}
	byUs := cur != nil && cur.ImportID == importID && cur.Version == op.Version+1
	switch op.Kind {
	case plan.OpCreate:
		switch {
		case cur == nil:
			return write, ""
		case byUs:
			return alreadyApplied, ""
		}
		return conflict, fmt.Sprintf("a record with ID %s already exists (version %d), so it was not created", op.ID, cur.Version)
	case plan.OpDelete:
		switch {
		case cur == nil:
			// Deleted by an earlier attempt, or by someone else: gone
			// either way.
			return alreadyApplied, ""
		case cur.Version == op.Version:
			return write, ""
		}
		return conflict, changedSince(op, cur.Record) + ", so it was not deleted"
	default:
		switch {
		case cur == nil:
			return conflict, fmt.Sprintf("record %s was deleted after the preview, so it was not updated", op.ID)
		case byUs:
			return alreadyApplied, ""
		case cur.Version == op.Version:
			return write, ""
		}
		return conflict, changedSince(op, cur.Record) + ", so it was not updated"
	}
}

func changedSince(op plan.Op, now crm.Record) string {
	by := "someone"
	if now.ImportID != "" {
		by = "import " + now.ImportID
	}
	return fmt.Sprintf("record %s was changed by %s after the preview (version %d, now %d)", op.ID, by, op.Version, now.Version)
}
