package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/lambdafn"
	"github.com/crmimport/crm-import/internal/undo"
)

// The undo workflow's actions (statemachine/undo.asl.json).
const (
	UndoStart = "start"
	UndoBatch = "batch"
	UndoEnd   = "end"
	UndoFail  = "fail"
)

// DefaultUndoBatch is how many before-images one invocation undoes: 10
// transactions of 25 and a few Queries, about a second on DynamoDB, far
// from a Lambda's 15 minutes, and within the function's 300 s on moto,
// whose every transaction copies the whole table (36 of them, for 900
// records in a table of a few thousand items, took over 2 minutes there).
// Each batch costs a few state transitions, $0.025 per 1,000 of them.
const DefaultUndoBatch = 250

// MaxUndoConflicts is how many conflicts, with their fields, the run keeps
// for the tenant to read (Work.Undo); the count is always whole.
const MaxUndoConflicts = 100

// UndoState is the undo workflow's state: which import, the run (its
// execution, by whom, forced), where the batches stand and what they did.
// Keys and counts only: the conflicts' fields go to a work file.
type UndoState struct {
	Tenant    string    `json:"tenant"`
	ImportID  string    `json:"importId"`
	Execution string    `json:"execution"`
	Force     bool      `json:"force"`
	By        string    `json:"by,omitempty"`
	At        time.Time `json:"at"`
	// BatchSize is how many before-images a batch takes; 0 the default.
	BatchSize int `json:"batchSize,omitempty"`
	// Next is where the next batch starts; More says there is one.
	Next      string `json:"next"`
	More      bool   `json:"more"`
	Batches   int    `json:"batches"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Deleted   int    `json:"deleted"`
	Restored  int    `json:"restored"`
	Already   int    `json:"already"`
	Conflicts int    `json:"conflicts"`
	// Kept is how many conflicts the work file holds.
	Kept  int        `json:"kept"`
	Error *StepError `json:"error,omitempty"`
}

// UndoInput is what the workflow hands the undo function.
type UndoInput struct {
	Action string    `json:"action"`
	State  UndoState `json:"state"`
}

// Logger puts the import's tenant and id, the step and the execution on
// every log line.
func (in UndoInput) Logger(base *slog.Logger, step string) *slog.Logger {
	return base.With("tenant", in.State.Tenant, "importId", in.State.ImportID, "step", step, "execution", in.State.Execution)
}

// UndoConflicts is the work file of a run's first conflicts.
type UndoConflicts struct {
	Execution string          `json:"execution"`
	Conflicts []undo.Conflict `json:"conflicts"`
}

// Undo is the undo workflow's function: it records the run, undoes the
// import a batch at a time (each batch its own invocation, going on where
// the last ended), and records how it ended, with ImportUndone. A run
// started again from the first batch (after its execution was stopped)
// finishes the same: undo counts what is undone already as done.
type Undo struct {
	Records undo.Store
	// Leases: a batch holds the leases of the users and entities it
	// writes, as apply and restore do.
	Leases   crm.Leases
	Runs     crm.UndoRuns
	Jobs     crm.Jobs
	Files    crm.Files
	Notifier crm.Notifier
	Log      *slog.Logger
	Now      func() time.Time
}

// Handle runs one action of the undo workflow.
func (u *Undo) Handle(ctx context.Context, in UndoInput) (UndoState, error) {
	s := in.State
	if s.Tenant == "" || s.ImportID == "" || s.Execution == "" {
		return s, crm.Errorf(crm.Internal, "the undo step needs a tenant, an import and an execution, got %+v", s)
	}
	switch in.Action {
	case UndoStart:
		return u.start(ctx, s)
	case UndoBatch:
		return u.batch(ctx, s)
	case UndoEnd:
		return u.end(ctx, s)
	case UndoFail:
		return u.fail(ctx, s)
	}
	return s, crm.Errorf(crm.Internal, "the undo step has no action %q", in.Action)
}

func (u *Undo) now() time.Time {
	if u.Now != nil {
		return u.Now().UTC()
	}
	return time.Now().UTC()
}

// run is the job's undo run as the state says it stands.
func (s UndoState) run(status crm.UndoStatus) crm.UndoRun {
	return crm.UndoRun{
		Status: status, Done: s.Done, Total: s.Total, Deleted: s.Deleted, Restored: s.Restored, Conflicts: s.Conflicts,
		By: s.By, At: s.At, Forced: s.Force, Execution: s.Execution,
	}
}

// start records the run (the API has, unless the execution was started
// another way) with the number of before-images to look at, from the
// first batch: counts and the conflicts' file begin again.
func (u *Undo) start(ctx context.Context, s UndoState) (UndoState, error) {
	total, err := u.Records.CountBeforeImages(ctx, s.Tenant, s.ImportID)
	if err != nil {
		return s, err
	}
	at := s.At
	if at.IsZero() {
		at = u.now()
	}
	s = UndoState{Tenant: s.Tenant, ImportID: s.ImportID, Execution: s.Execution, Force: s.Force, By: s.By, At: at,
		BatchSize: s.BatchSize, Total: total, More: true}
	if err := u.Runs.StartUndo(ctx, s.Tenant, s.ImportID, s.run(crm.UndoRunning), s.Execution); err != nil {
		return s, err
	}
	return s, u.putConflicts(ctx, s, nil)
}

// batch undoes the next BatchSize before-images and records the progress.
func (u *Undo) batch(ctx context.Context, s UndoState) (UndoState, error) {
	size := s.BatchSize
	if size <= 0 {
		size = DefaultUndoBatch
	}
	res, err := undo.Run(ctx, u.Records, s.Tenant, s.ImportID, undo.Options{Act: true, Force: s.Force, From: s.Next, Batch: size, Lock: u.lock(s)})
	if err != nil {
		return s, err
	}
	if room := MaxUndoConflicts - s.Kept; room > 0 && len(res.Conflicts) > 0 {
		kept, err := u.conflicts(ctx, s)
		if err != nil {
			return s, err
		}
		kept = append(kept, res.Conflicts[:min(room, len(res.Conflicts))]...)
		if err := u.putConflicts(ctx, s, kept); err != nil {
			return s, err
		}
		s.Kept = len(kept)
	}
	s.Batches++
	s.Done += res.Images
	s.Total = max(s.Total, s.Done) // images an apply still wrote after the count
	s.Deleted += res.Deleted
	s.Restored += res.Restored
	s.Already += res.Already
	s.Conflicts += len(res.Conflicts)
	s.Next, s.More = res.Next, res.Next != ""
	return s, u.Runs.UpdateUndo(ctx, s.Tenant, s.ImportID, s.run(crm.UndoRunning))
}

// end records the run SUCCEEDED, and the undo on the job (undone), then
// sends ImportUndone.
func (u *Undo) end(ctx context.Context, s UndoState) (UndoState, error) {
	ended := u.now()
	run := s.run(crm.UndoSucceeded)
	run.Total, run.EndedAt = s.Done, &ended
	if err := u.Runs.UpdateUndo(ctx, s.Tenant, s.ImportID, run); err != nil {
		return s, err
	}
	done := crm.Undone{At: ended, By: s.By, Forced: s.Force, Deleted: s.Deleted, Restored: s.Restored, Conflicts: s.Conflicts}
	if err := u.Jobs.SetUndone(ctx, s.Tenant, s.ImportID, done); err != nil {
		return s, fmt.Errorf("record the undo of import %s: %w", s.ImportID, err)
	}
	if u.Notifier != nil {
		detail := map[string]any{"tenant": s.Tenant, "importId": s.ImportID, "undone": done}
		if err := u.Notifier.Send(ctx, crm.ImportUndone, detail); err != nil {
			// The undo is made and recorded; a lost event is logged, not
			// a failure that would run the undo again.
			u.Log.ErrorContext(ctx, "send ImportUndone", "tenant", s.Tenant, "importId", s.ImportID, "error", err)
		}
	}
	return s, nil
}

// fail records the run FAILED with the reason, in words.
func (u *Undo) fail(ctx context.Context, s UndoState) (UndoState, error) {
	ended := u.now()
	run := s.run(crm.UndoFailed)
	run.EndedAt = &ended
	run.Reason = fmt.Sprintf("the undo stopped on an internal error after %d of %d records; nothing is lost: confirm the undo again (crmimport undo %s --yes) to finish it",
		s.Done, s.Total, s.ImportID)
	if s.Error != nil {
		if msg := s.Error.Reason(); msg != crm.InternalMessage && msg != "" && isRefusal(s.Error) {
			run.Reason = msg
		}
	}
	err := u.Runs.UpdateUndo(ctx, s.Tenant, s.ImportID, run)
	if crm.KindOf(err) == crm.Conflict {
		// Replaced by a later run: that one says how the undo stands.
		return s, nil
	}
	return s, err
}

// isRefusal tells a refusal (its message is for the tenant) from the rest.
func isRefusal(e *StepError) bool {
	var c lambdaCause
	_ = json.Unmarshal([]byte(e.Cause), &c)
	return e.Error == lambdafn.RefusedName || c.ErrorType == lambdafn.RefusedName
}

// conflicts reads the conflicts the run has kept so far.
func (u *Undo) conflicts(ctx context.Context, s UndoState) ([]undo.Conflict, error) {
	if s.Kept == 0 {
		return nil, nil
	}
	f, err := ReadUndoConflicts(ctx, u.Files, s.Tenant, s.ImportID)
	if err != nil {
		return nil, err
	}
	if f.Execution != s.Execution {
		return nil, crm.Errorf(crm.Internal, "the conflicts of undo %s were overwritten by run %s", s.Execution, f.Execution)
	}
	return f.Conflicts[:min(s.Kept, len(f.Conflicts))], nil
}

func (u *Undo) putConflicts(ctx context.Context, s UndoState, kept []undo.Conflict) error {
	if kept == nil {
		kept = []undo.Conflict{}
	}
	body, err := json.Marshal(UndoConflicts{Execution: s.Execution, Conflicts: kept})
	if err != nil {
		return crm.Wrap(err, crm.Internal, "encode the conflicts of undo %s", s.Execution)
	}
	w := crm.Work{Tenant: s.Tenant, ImportID: s.ImportID}
	return u.Files.Put(ctx, w.Undo(), body, crm.JSON)
}

// ReadUndoConflicts reads the work file of the last undo run's conflicts.
func ReadUndoConflicts(ctx context.Context, files crm.Files, tenant, importID string) (UndoConflicts, error) {
	r, err := files.Open(ctx, crm.Work{Tenant: tenant, ImportID: importID}.Undo())
	if err != nil {
		return UndoConflicts{}, err
	}
	defer r.Close()
	body, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return UndoConflicts{}, crm.Wrap(err, crm.Unavailable, "read the conflicts of the undo of %s", importID)
	}
	var f UndoConflicts
	if err := json.Unmarshal(body, &f); err != nil {
		return UndoConflicts{}, crm.Wrap(err, crm.Internal, "decode the conflicts of the undo of %s", importID)
	}
	return f, nil
}

// lock takes the lease of a user's records of an entity for the batch,
// under the undone import's id. Another import holding it is Busy: the
// workflow waits and runs the batch again.
func (u *Undo) lock(s UndoState) func(ctx context.Context, user, entity string) (func(), error) {
	if u.Leases == nil {
		return nil
	}
	return func(ctx context.Context, user, entity string) (func(), error) {
		l := userLease(s.Tenant, s.ImportID, user, entity)
		if err := u.Leases.Acquire(ctx, l); err != nil {
			return nil, err
		}
		return func() {
			// A lease not released lapses within crm.LeaseTime.
			_ = u.Leases.Release(context.WithoutCancel(ctx), l)
		}, nil
	}
}
