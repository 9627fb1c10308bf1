package apiclient

import (
	"context"

	"github.com/crmimport/crm-import/internal/crm"
)

// UndoRequest asks for the undo of an import: its dry run unless Confirm.
type UndoRequest struct {
	Confirm bool `json:"confirm"`
	Force   bool `json:"force"`
}

// Undo is what an undo did, or its dry run would do.
type Undo struct {
	ImportID string `json:"importId"`
	DryRun   bool   `json:"dryRun"`
	Forced   bool   `json:"forced"`
	Deleted  int    `json:"deleted"`  // records the import created, gone
	Restored int    `json:"restored"` // records it changed or deleted, put back
	Already  int    `json:"already"`  // of those, found undone already
	// ConflictsTotal counts the records changed since the import;
	// Conflicts lists the first 100 of them.
	ConflictsTotal int            `json:"conflictsTotal"`
	Conflicts      []UndoConflict `json:"conflicts"`
	Undone         *crm.Undone    `json:"undone,omitempty"`
	// Undo is the run a confirmation started: RUNNING with its progress
	// (done of total records looked at), then how it ended.
	Undo *crm.UndoRun `json:"undo,omitempty"`
}

// Running says the undo is still being made by its workflow.
func (u Undo) Running() bool { return u.Undo != nil && u.Undo.Status == crm.UndoRunning }

// UndoConflict is a record changed since the import: its fields now (nil:
// gone) and what undo writes (nil: it deletes the record).
type UndoConflict struct {
	User   string            `json:"user"`
	Entity string            `json:"entity"`
	ID     string            `json:"id"`
	Now    map[string]string `json:"now"`
	Undo   map[string]string `json:"undo"`
	Forced bool              `json:"forced,omitempty"`
	Reason string            `json:"reason"`
}

// Undo starts the undo of an import that has ended (202, the run
// RUNNING: follow it with UndoRun), or answers the dry run (POST
// /imports/{id}/undo).
func (c *Client) Undo(ctx context.Context, id string, r UndoRequest) (Undo, error) {
	var out Undo
	err := c.post(ctx, "/imports/"+seg(id)+"/undo", r, &out)
	return out, err
}

// UndoRun answers the import's last undo run: its progress while it
// runs, then its counts and first conflicts (GET /imports/{id}/undo).
func (c *Client) UndoRun(ctx context.Context, id string) (Undo, error) {
	var out Undo
	err := c.get(ctx, "/imports/"+seg(id)+"/undo", nil, &out)
	return out, err
}
