package api

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/undo"
)

// DefaultUndoRetention is how long an import can be undone when the
// stack says nothing (UndoRetentionDays in template.yaml): as long as its
// before-images are kept.
const DefaultUndoRetention = 30 * 24 * time.Hour

// MaxUndoRecords bounds the undo the API makes itself, synchronously,
// within its Lambda's 29 seconds: about 200 transactions of 25 records.
const MaxUndoRecords = 5000

// maxUndoConflicts caps the conflicts one answer lists; the total is
// always given.
const maxUndoConflicts = 100

// undoRequest is the body of POST /imports/{id}/undo. Without a body, or
// with confirm false, the answer is the dry run.
type undoRequest struct {
	Confirm bool `json:"confirm"`
	Force   bool `json:"force"`
}

// undoView answers POST /imports/{id}/undo: what the undo did (confirm
// true) or would do.
type undoView struct {
	ImportID  string          `json:"importId"`
	DryRun    bool            `json:"dryRun"`
	Forced    bool            `json:"forced"`
	Deleted   int             `json:"deleted"`
	Restored  int             `json:"restored"`
	Already   int             `json:"already"`
	Total     int             `json:"conflictsTotal"`
	Conflicts []undo.Conflict `json:"conflicts"`
	Undone    *crm.Undone     `json:"undone,omitempty"`
}

// postUndo undoes one of the tenant's ended imports, or answers its dry
// run. It runs here, synchronously, bounded by MaxUndoRecords.
func (h *Handler) postUndo(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if !hasRole(req, Administrator) {
		return nil, crm.Errorf(crm.Refused, "only administrators may undo an import")
	}
	id := req.PathParameters["id"]
	if id == "" {
		return nil, crm.Errorf(crm.Invalid, "the import id is missing")
	}
	var body undoRequest
	if raw, err := bodyOf(req); err != nil {
		return nil, err
	} else if len(raw) > 0 {
		if err := decodeBody(req, &body); err != nil {
			return nil, err
		}
	}
	j, err := h.Jobs.Get(ctx, tenant, id)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "import %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	if !j.Status.Terminal() {
		return nil, crm.Errorf(crm.Conflict, "import %s is %s: an import can be undone once it has ended (run crmimport status %s --watch)", id, j.Status, id)
	}
	retention := h.UndoRetention
	if retention <= 0 {
		retention = DefaultUndoRetention
	}
	// Counted from the job's creation, not its end: every before-image
	// was written after it, with the same TTL, so none has expired while
	// the import can still be undone (an attended import may end days
	// after its first user was applied).
	if until := j.CreatedAt.Add(retention); time.Now().After(until) {
		return nil, crm.Errorf(crm.Conflict, "import %s was started on %s: an import can be undone for %d days after it was started, until %s; the images of the records it changed are gone", id, j.CreatedAt.UTC().Format(time.DateOnly), int(retention.Hours()/24), until.UTC().Format(time.DateOnly))
	}
	if h.Records == nil {
		return nil, crm.Errorf(crm.Internal, "the API has no record store to undo with")
	}
	res, err := undo.Run(ctx, h.Records, tenant, id, undo.Options{Act: body.Confirm, Force: body.Force, Max: MaxUndoRecords})
	if err != nil {
		return nil, err
	}
	v := undoView{
		ImportID: id, DryRun: !body.Confirm, Forced: body.Force,
		Deleted: res.Deleted, Restored: res.Restored, Already: res.Already,
		Total: len(res.Conflicts), Conflicts: res.Conflicts[:min(len(res.Conflicts), maxUndoConflicts)],
	}
	if v.Conflicts == nil {
		v.Conflicts = []undo.Conflict{}
	}
	if !body.Confirm {
		return v, nil
	}
	u := crm.Undone{At: time.Now().UTC(), By: claimOf(req, EmailClaim), Forced: body.Force, Deleted: res.Deleted, Restored: res.Restored, Conflicts: len(res.Conflicts)}
	if err := h.Jobs.SetUndone(ctx, tenant, id, u); err != nil {
		return nil, fmt.Errorf("record the undo of import %s: %w", id, err)
	}
	v.Undone = &u
	if h.Notifier != nil {
		detail := map[string]any{"tenant": tenant, "importId": id, "undone": u}
		if err := h.Notifier.Send(ctx, crm.ImportUndone, detail); err != nil {
			// The undo is made and recorded; a lost event is logged, not
			// answered as a failure the tenant would retry.
			h.Log.ErrorContext(ctx, "send ImportUndone", "tenant", tenant, "importId", id, "error", err)
		}
	}
	return v, nil
}
