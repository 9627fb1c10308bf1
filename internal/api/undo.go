package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
	"github.com/crmimport/crm-import/internal/undo"
)

// DefaultUndoRetention is how long an import can be undone when the
// stack says nothing (UndoRetentionDays in template.yaml): as long as its
// before-images are kept.
const DefaultUndoRetention = 30 * 24 * time.Hour

// MaxUndoRecords bounds the dry run, which the API makes itself,
// synchronously, within its Lambda's 29 seconds: it reads, never writes,
// but moto's reads of a large import would not fit either. The confirmed
// undo has no bound: its workflow takes 250 records an invocation.
const MaxUndoRecords = 5000

// undoStarting is how long a run whose execution Step Functions does not
// know yet counts as starting (its StartExecution on its way), not dead.
const undoStarting = time.Minute

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
	// Undo is the run the confirmation started (or the last one): its
	// status and progress.
	Undo *crm.UndoRun `json:"undo,omitempty"`
}

// postUndo answers the dry run of undoing one of the tenant's ended
// imports, made here, bounded by MaxUndoRecords; or, confirmed, starts the
// undo workflow and answers 202 with the run.
func (h *Handler) postUndo(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if !hasRole(req, Administrator) {
		return nil, crm.Errorf(crm.Refused, "only administrators may undo an import")
	}
	id := req.PathParameters["id"]
	if id == "" {
		return nil, crm.Errorf(crm.Invalid, "the import id is missing")
	}
	var body undoRequest
	if err := decodeOptionalBody(req, &body); err != nil {
		return nil, err
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
	if body.Confirm {
		return h.startUndo(ctx, tenant, j, claimOf(req, EmailClaim), body.Force)
	}
	if h.Records == nil {
		return nil, crm.Errorf(crm.Internal, "the API has no record store to undo with")
	}
	res, err := undo.Run(ctx, h.Records, tenant, id, undo.Options{Force: body.Force, Max: MaxUndoRecords})
	if err != nil {
		return nil, err
	}
	v := undoView{
		ImportID: id, DryRun: true, Forced: body.Force,
		Deleted: res.Deleted, Restored: res.Restored, Already: res.Already,
		Total: len(res.Conflicts), Conflicts: res.Conflicts[:min(len(res.Conflicts), maxUndoConflicts)],
	}
	if v.Conflicts == nil {
		v.Conflicts = []undo.Conflict{}
	}
	return v, nil
}

// startUndo records a new undo run on the job and starts its workflow. A
// run still RUNNING is a 409, unless its execution has ended without
// closing it (stopped, failed, timed out): the new run replaces it, from
// the first batch, and finishes what it began.
func (h *Handler) startUndo(ctx context.Context, tenant string, j crm.Job, by string, force bool) (any, error) {
	if h.UndoWorkflow == nil || h.UndoRuns == nil {
		return nil, crm.Errorf(crm.Internal, "the API has no undo workflow to start")
	}
	replace := ""
	if run := j.Undo; run != nil && run.Status == crm.UndoRunning {
		st, err := h.UndoWorkflow.Status(ctx, run.Execution)
		switch {
		case crm.KindOf(err) == crm.NotFound && time.Since(run.At) < undoStarting,
			err == nil && st == crm.ExecutionRunning:
			return nil, crm.Errorf(crm.Conflict, "import %s is being undone (%d of %d records looked at): wait for the undo to end (crmimport undo %s --yes waits for it)", j.ID, run.Done, run.Total, j.ID)
		case err != nil && crm.KindOf(err) != crm.NotFound:
			return nil, err
		}
		replace = run.Execution
	}
	now := time.Now().UTC()
	run := crm.UndoRun{Status: crm.UndoRunning, By: by, At: now, Forced: force, Execution: fmt.Sprintf("%s-undo-%d", j.ID, now.UnixMilli())}
	if err := h.UndoRuns.StartUndo(ctx, tenant, j.ID, run, replace); err != nil {
		return nil, err
	}
	in := steps.UndoState{Tenant: tenant, ImportID: j.ID, Execution: run.Execution, Force: force, By: by, At: now}
	if _, err := h.UndoWorkflow.Start(ctx, run.Execution, in); err != nil {
		// The run stays RUNNING with no execution: the next confirm, a
		// minute on, replaces it.
		return nil, fmt.Errorf("start the undo of import %s: %w", j.ID, err)
	}
	return withStatus(http.StatusAccepted, undoView{ImportID: j.ID, Forced: force, Conflicts: []undo.Conflict{}, Undo: &run}), nil
}

// getUndo answers the import's last undo run: its status and progress,
// its counts and, once it has ended, its first conflicts with their
// fields, as the confirmed POST answered them when it ran here.
func (h *Handler) getUndo(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if !hasRole(req, Administrator) {
		return nil, crm.Errorf(crm.Refused, "only administrators may undo an import")
	}
	id := req.PathParameters["id"]
	j, err := h.Jobs.Get(ctx, tenant, id)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "import %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	run := j.Undo
	if run == nil {
		return nil, crm.Errorf(crm.NotFound, "import %s has not been undone (crmimport undo %s shows what an undo would do)", id, id)
	}
	v := undoView{ImportID: id, Forced: run.Forced, Deleted: run.Deleted, Restored: run.Restored, Total: run.Conflicts, Conflicts: []undo.Conflict{}, Undo: run}
	if run.Status == crm.UndoSucceeded {
		v.Undone = j.Undone
	}
	if run.Status != crm.UndoRunning && run.Conflicts > 0 {
		kept, err := steps.ReadUndoConflicts(ctx, h.Files, tenant, id)
		if err != nil {
			return nil, err
		}
		if kept.Execution == run.Execution {
			v.Conflicts = kept.Conflicts
		}
	}
	return v, nil
}
