// Package outcome writes what became of every row of an import: a log of
// JSON lines with one outcome per row (and per deleted record), and the
// error file a tenant downloads, in CSV.
package outcome

import (
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/plan"
)

// Status is what happened to a row or record.
type Status string

const (
	Created   Status = "created"
	Updated   Status = "updated"
	Unchanged Status = "unchanged"
	Deleted   Status = "deleted"
	Skipped   Status = "skipped"
	Error     Status = "error"
	// Conflict: the record changed after the preview, so the row was not
	// applied rather than overwrite someone's change in silence.
	Conflict Status = "conflict"
)

// Row is the outcome of one row of the file, or of one deleted record
// (Row is then 0).
type Row struct {
	Row     int            `json:"row,omitempty"`
	User    string         `json:"user,omitempty"`
	Entity  string         `json:"entity,omitempty"`
	ID      string         `json:"id,omitempty"`
	Status  Status         `json:"status"`
	Key     string         `json:"key,omitempty"`
	Changes []plan.Change  `json:"changes,omitempty"`
	Errors  []crm.RowError `json:"errors,omitempty"`
	Reason  string         `json:"reason,omitempty"`
}

var statusOf = map[plan.OpKind]Status{
	plan.OpCreate:    Created,
	plan.OpUpdate:    Updated,
	plan.OpUnchanged: Unchanged,
	plan.OpDelete:    Deleted,
	plan.OpSkip:      Skipped,
	plan.OpError:     Error,
}

// FromOp is the outcome of an op carried out as planned.
func FromOp(user, entity string, op plan.Op) Row {
	return Row{
		Row: op.Row, User: user, Entity: entity, ID: op.ID, Status: statusOf[op.Kind],
		Key: op.Key, Changes: op.Changes, Errors: op.Errors, Reason: op.Reason,
	}
}
