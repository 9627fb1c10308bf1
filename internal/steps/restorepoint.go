package steps

import (
	"context"
	"log/slog"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// RestorePoint takes the restore point of an import before its first
// write: right after split it starts an export of the table to the bucket
// (ActionStart), and just before the first apply the workflow polls it
// (ActionCheck, then a Wait state, again) until it has completed. An
// attended import's export runs while the tenant chooses users and reads
// previews, which write nothing; only the first apply waits for it. An
// export that fails, or is not done within MaxWait, fails the import with
// nothing written.
type RestorePoint struct {
	Jobs    crm.Jobs
	Exports crm.Exports
	// Mode is crm.RestorePointExport (also when empty) or
	// crm.RestorePointTimeOnly, which records the time and exports nothing.
	Mode string
	// MaxWait bounds the wait for the export; DefaultRestorePointWait when 0.
	MaxWait time.Duration
	Log     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// DefaultRestorePointWait is how long the first apply waits for the
// export at most. AWS exports take minutes whatever the table's size (a
// few for a small table), more for large ones; an hour leaves room.
const DefaultRestorePointWait = time.Hour

// The restore point step's actions.
const (
	ActionStart = "start"
	ActionCheck = "check"
)

// RestorePointInput is the step's payload: what to do, and the state.
type RestorePointInput struct {
	Action string `json:"action"`
	State  State  `json:"state"`
}

// Logger puts the import's tenant and id and the step on every log line.
func (in RestorePointInput) Logger(base *slog.Logger, step string) *slog.Logger {
	return in.State.Logger(base, step)
}

// RestorePointState is the restore point's part of the State. Ready is
// never left out: the workflow's Choice reads it before every first apply.
type RestorePointState struct {
	Ready     bool      `json:"ready"`
	ExportARN string    `json:"exportArn,omitempty"`
	Since     time.Time `json:"since"`
}

// Handle is the restore point step.
func (r *RestorePoint) Handle(ctx context.Context, in RestorePointInput) (State, error) {
	s := in.State
	switch in.Action {
	case ActionStart:
		return r.start(ctx, s)
	case ActionCheck:
		return r.check(ctx, s)
	}
	return s, crm.Errorf(crm.Internal, "the restore point step has no action %q", in.Action)
}

func (r *RestorePoint) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// start starts the export, or records the time only, and records the
// restore point on the job. A retry after the export started starts
// another (the adapter's client token makes it the same one on AWS).
func (r *RestorePoint) start(ctx context.Context, s State) (State, error) {
	log := s.Logger(r.Log, "restorepoint")
	if s.Map == nil || s.Map.Users == 0 {
		// Every row was refused or reached nobody: nothing will be
		// written, so there is nothing to go back before (and no export
		// to pay for).
		s.RestorePoint = &RestorePointState{Ready: true, Since: r.now()}
		log.Info("no restore point: the import has no user to write")
		return s, nil
	}
	var rp crm.RestorePoint
	if r.Mode == crm.RestorePointTimeOnly {
		rp.Time = r.now()
	} else {
		rp.Prefix = crm.RestorePointsPrefix(s.Tenant, s.ImportID)
		arn, at, err := r.Exports.Export(ctx, rp.Prefix)
		if err != nil {
			return s, err
		}
		rp.ExportARN, rp.Time = arn, at.UTC()
	}
	if err := r.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{RestorePoint: &rp}); err != nil {
		return s, err
	}
	s.RestorePoint = &RestorePointState{Ready: rp.ExportARN == "", ExportARN: rp.ExportARN, Since: r.now()}
	log.Info("restore point started", "exportArn", rp.ExportARN, "time", rp.Time, "prefix", rp.Prefix)
	return s, nil
}

// check asks how the export stands.
func (r *RestorePoint) check(ctx context.Context, s State) (State, error) {
	rp := s.RestorePoint
	if rp == nil {
		return s, crm.Errorf(crm.Internal, "the restore point is checked before it was started")
	}
	if rp.Ready {
		return s, nil
	}
	st, err := r.Exports.Status(ctx, rp.ExportARN)
	if err != nil {
		return s, err
	}
	switch st.State {
	case crm.ExportCompleted:
		rp.Ready = true
		s.Logger(r.Log, "restorepoint").Info("restore point ready", "exportArn", rp.ExportARN, "waited", r.now().Sub(rp.Since).String())
		return s, nil
	case crm.ExportFailed:
		return s, crm.Errorf(crm.Refused, "the restore point taken before the import could not be made (%s), so nothing was imported: please upload the file again", st.Failure)
	}
	limit := r.MaxWait
	if limit <= 0 {
		limit = DefaultRestorePointWait
	}
	if waited := r.now().Sub(rp.Since); waited > limit {
		return s, crm.Errorf(crm.Refused, "the restore point taken before the import was not ready after %s, so nothing was imported: please upload the file again", limit)
	}
	return s, nil
}
