package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

// Sweeper ends the import jobs that no step will end: a job whose workflow
// failed without recording why (RecordFailure ran out of retries), timed
// out or was stopped, and a job whose workflow never started (its S3 event
// went to the dead-letter queue). Each ends FAILED with a reason the tenant
// can read, a summary and an ImportFailed event, as if the workflow had
// closed it. A job whose workflow still runs is left alone, however long it
// takes.
//
// It runs on a schedule, looking at the jobs open past Deadline, and on
// Step Functions' status change events, closing the job of an execution
// that failed, timed out or was aborted at once.
type Sweeper struct {
	Jobs     crm.Jobs
	Workflow crm.Workflow
	// Records counts what an import changed before it stopped, from its
	// before-images; Files keeps the summary; Notify announces the end.
	Records crm.Records
	Files   crm.Files
	Notify  crm.Notifier
	// Leases, Tenants and Limits: an import the sweeper ends gives its
	// slot among the tenant's running imports up, so the tenant's next
	// import need not wait for it to lapse. Its user leases are left to
	// lapse: a step stopped mid-run may still be writing.
	Leases  crm.Leases
	Tenants crm.Tenants
	Limits  crm.Limits
	// Deadline is how old an open job is before a sweep looks at it. It
	// must be longer than an S3 event can wait in the intake queue before
	// the trigger starts its workflow (5 receives of 180 s in the template):
	// a job still RECEIVED then has a start coming.
	Deadline time.Duration
	Log      *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// The EventBridge detail types the sweeper handles.
const (
	ScheduledEvent        = "Scheduled Event"
	ExecutionStatusChange = "Step Functions Execution Status Change"
)

// What the tenant is told about an import the sweeper ends.
const (
	reasonStopped    = "the import was stopped before it finished"
	reasonTooLong    = "the import took too long and was stopped"
	reasonNotStarted = "the import could not be started; please upload the file again"
	// An import created by the API whose file never came: its upload form
	// expired after 15 minutes (api.UploadExpiry).
	reasonNotUploaded = "the file was not uploaded while the upload was open (15 minutes); create the import again"
)

// SweepRequest is the detail of a scheduled event: {} from the schedule. An
// operator (or a test) invoking the sweeper by hand may look at younger
// jobs, or at one tenant's only.
type SweepRequest struct {
	// OlderThanSeconds replaces the Deadline when set.
	OlderThanSeconds *int   `json:"olderThanSeconds,omitempty"`
	Tenant           string `json:"tenant,omitempty"`
}

// ExecutionChange is the part of a Step Functions Execution Status Change
// event's detail the sweeper reads.
type ExecutionChange struct {
	ExecutionARN    string              `json:"executionArn"`
	StateMachineARN string              `json:"stateMachineArn"`
	Name            string              `json:"name"` // the import id
	Status          crm.ExecutionStatus `json:"status"`
	// Input is the execution's input as JSON, the State the trigger
	// started it with; null when it was too large to include.
	Input *string `json:"input"`
}

// SweepReport is what the sweeper did, by import id.
type SweepReport struct {
	// Open counts the jobs looked at: open past the deadline, or the job
	// of the execution an event is about.
	Open int `json:"open"`
	// Running are left alone: their workflow still runs.
	Running []string `json:"running,omitempty"`
	// Ended are the jobs this call ended FAILED.
	Ended []string `json:"ended,omitempty"`
}

// Handle takes a scheduled event (a sweep) or an execution status change.
func (s *Sweeper) Handle(ctx context.Context, ev events.EventBridgeEvent) (SweepReport, error) {
	switch ev.DetailType {
	case ScheduledEvent:
		var req SweepRequest
		if len(ev.Detail) > 0 {
			if err := json.Unmarshal(ev.Detail, &req); err != nil {
				return SweepReport{}, crm.Wrap(err, crm.Invalid, "the sweep request is not valid JSON")
			}
		}
		return s.Sweep(ctx, req)
	case ExecutionStatusChange:
		var change ExecutionChange
		if err := json.Unmarshal(ev.Detail, &change); err != nil {
			return SweepReport{}, crm.Wrap(err, crm.Invalid, "the execution status change is not valid JSON")
		}
		return s.ExecutionChanged(ctx, change)
	}
	return SweepReport{}, crm.Errorf(crm.Invalid, "the sweeper does not handle %q events", ev.DetailType)
}

// Sweep ends the jobs open past the deadline whose workflow has ended or
// never started. A job it cannot look at (a service busy) does not stop the
// others: each such failure is logged with its job, and the sweep then
// fails as a whole, so that the function's errors alarm says so; the next
// sweep tries the job again.
func (s *Sweeper) Sweep(ctx context.Context, req SweepRequest) (SweepReport, error) {
	var rep SweepReport
	deadline := s.Deadline
	if req.OlderThanSeconds != nil {
		if *req.OlderThanSeconds < 0 {
			return rep, crm.Errorf(crm.Invalid, "olderThanSeconds is %d; want 0 or more", *req.OlderThanSeconds)
		}
		deadline = time.Duration(*req.OlderThanSeconds) * time.Second
	}
	open, err := s.Jobs.Open(ctx, s.now().Add(-deadline))
	if err != nil {
		return rep, err
	}
	failed := 0
	for _, j := range open {
		if req.Tenant != "" && j.Tenant != req.Tenant {
			continue
		}
		rep.Open++
		status, err := s.Workflow.Status(ctx, j.ID)
		if crm.KindOf(err) == crm.NotFound {
			status, err = "", nil
		}
		if err == nil {
			err = s.settle(ctx, &rep, j, status)
		}
		if err != nil {
			failed++
			s.Log.Error("stuck import not swept", "tenant", j.Tenant, "importId", j.ID, "step", "sweeper", "kind", crm.KindOf(err), "error", err)
		}
	}
	s.Log.Info("sweep done", "deadline", deadline.String(), "tenant", req.Tenant,
		"open", rep.Open, "running", len(rep.Running), "ended", len(rep.Ended), "failed", failed)
	if failed > 0 {
		return rep, crm.Errorf(crm.Unavailable, "%d of %d open imports could not be swept; the next sweep tries them again", failed, rep.Open)
	}
	return rep, nil
}

// ExecutionChanged ends the job of an execution that failed, timed out or
// was aborted, if the workflow did not end it: at once, not on the next
// sweep. The job is the one the trigger started the execution for, named
// by the execution's name and its input's tenant.
func (s *Sweeper) ExecutionChanged(ctx context.Context, c ExecutionChange) (SweepReport, error) {
	var rep SweepReport
	var in State
	if c.Status == "" || c.Input == nil || json.Unmarshal([]byte(*c.Input), &in) != nil || in.Tenant == "" || in.ImportID != c.Name {
		// Not an execution the trigger started; a sweep would not find a
		// job for it either.
		s.Log.Warn("execution status change names no import job", "execution", c.ExecutionARN, "status", c.Status)
		return rep, nil
	}
	j, err := s.Jobs.Get(ctx, in.Tenant, in.ImportID)
	if crm.KindOf(err) == crm.NotFound {
		s.Log.Warn("execution status change for a job that does not exist", "tenant", in.Tenant, "importId", in.ImportID, "status", c.Status)
		return rep, nil
	}
	if err != nil || j.Status.Terminal() {
		return rep, err
	}
	rep.Open++
	return rep, s.settle(ctx, &rep, j, c.Status)
}

// settle ends j if its workflow will not, noting what it did in rep. status
// is its execution's, "" when it has none.
func (s *Sweeper) settle(ctx context.Context, rep *SweepReport, j crm.Job, status crm.ExecutionStatus) error {
	reason, stuck := stuckReason(j, status)
	if !stuck {
		rep.Running = append(rep.Running, j.ID)
		return nil
	}
	ended, err := s.end(ctx, j, status, reason)
	if ended {
		rep.Ended = append(rep.Ended, j.ID)
	}
	return err
}

// stuckReason says why j, not ended, will not end by itself, and false
// when it still may: its execution runs (or will run again, a redrive
// pending).
func stuckReason(j crm.Job, status crm.ExecutionStatus) (string, bool) {
	switch status {
	case "":
		if j.Status == crm.Uploading {
			return reasonNotUploaded, true
		}
		if j.Status == crm.Received {
			// The trigger created the job and never started its workflow:
			// its S3 event is in the dead-letter queue.
			return reasonNotStarted, true
		}
		// A step ran, so there was an execution; Step Functions no longer
		// knows it.
		return crm.InternalMessage, true
	case crm.ExecutionAborted:
		return reasonStopped, true
	case crm.ExecutionTimedOut:
		return reasonTooLong, true
	case crm.ExecutionFailed, crm.ExecutionSucceeded:
		// The workflow ended without closing the job: RecordFailure (or
		// Finalize) could not write it. Why is in the execution's history.
		return crm.InternalMessage, true
	}
	return "", false
}

// end marks j FAILED with reason, and with what it had changed, then
// writes the summary and announces it. It reports false, having done
// nothing, when the job ended meanwhile (the workflow's last step, or
// another sweep).
func (s *Sweeper) end(ctx context.Context, j crm.Job, status crm.ExecutionStatus, reason string) (bool, error) {
	log := s.Log.With("tenant", j.Tenant, "importId", j.ID, "step", "sweeper")
	// A stop or a lost start is news; anything else failed in a way the
	// execution's history explains, and wants a look.
	level := slog.LevelWarn
	if reason == crm.InternalMessage {
		level = slog.LevelError
	}
	touched, err := s.Records.CountBeforeImages(ctx, j.Tenant, j.ID)
	if err != nil {
		return false, err
	}
	if touched > 0 {
		reason += fmt.Sprintf(" (before it stopped, %d records had been changed or were about to be)", touched)
	}
	counts := j.Counts
	err = s.Jobs.Update(ctx, j.Tenant, j.ID, crm.JobChange{Status: crm.Failed, Reason: reason, Counts: &counts})
	if crm.KindOf(err) == crm.Conflict {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	releaseTenantSlots(ctx, log, s.Tenants, s.Leases, s.Limits, j.Tenant, j.ID)
	sum := crm.Summary{ImportID: j.ID, Tenant: j.Tenant, Status: crm.Failed, Reason: reason, Counts: counts}
	// The job is closed and carries the reason: a summary or an event
	// lost now must not reopen it.
	if err := putJSON(ctx, s.Files, crm.Work{Tenant: j.Tenant, ImportID: j.ID}.Summary(), sum); err != nil {
		log.Error("stuck import ended but its summary was not written", "error", err)
	}
	if err := s.Notify.Send(ctx, crm.ImportFailed, sum.ForEvent()); err != nil {
		log.Error("stuck import ended and the notification was not sent", "error", err)
	}
	execution := string(status)
	if execution == "" {
		execution = "none"
	}
	log.Log(ctx, level, "stuck import ended", "jobStatus", j.Status, "execution", execution, "createdAt", j.CreatedAt, "reason", reason)
	return true, nil
}

func (s *Sweeper) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
