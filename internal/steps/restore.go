package steps

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/restore"
)

// DefaultRestoreWaitSeconds is how long a restore's dry run waits for the
// tenant's confirmation: a day, then it ends EXPIRED with nothing written.
const DefaultRestoreWaitSeconds = 24 * 60 * 60

// restoreStopBefore is how long before its Lambda's end the act stops
// between two users and hands the rest to the next invocation.
const restoreStopBefore = 2 * time.Minute

// Restore is every task of the restore workflow
// (statemachine/restore.asl.json), one function for one workflow: plan,
// wait (for the confirmation), act, expire and fail.
type Restore struct {
	Restores crm.Restores
	Jobs     crm.Jobs
	Tenants  crm.Tenants
	Files    crm.Files
	Planner  *restore.Planner
	Actor    *restore.Actor
	Notify   crm.Notifier
	Log      *slog.Logger
	// WaitSeconds bounds the wait for the confirmation; 0 is
	// DefaultRestoreWaitSeconds.
	WaitSeconds int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Steps of the restore workflow.
const (
	RestorePlanStep   = "plan"
	RestoreWaitStep   = "wait"
	RestoreActStep    = "act"
	RestoreExpireStep = "expire"
	RestoreFailStep   = "fail"
)

// What the workflow does after a task (RestoreOutput.Next).
const (
	RestoreNextWait = "wait" // planned: wait for the confirmation
	RestoreNextAct  = "act"  // write (again: a re-run of a restore that was confirmed)
	RestoreNextMore = "more" // act again: users are left
	RestoreNextEnd  = "end"
)

// RestoreInput is each task's payload.
type RestoreInput struct {
	Step      string            `json:"step"`
	Tenant    string            `json:"tenant"`
	RestoreID string            `json:"restoreId"`
	Token     string            `json:"token,omitempty"`
	Progress  *restore.Progress `json:"progress,omitempty"`
	// Error is the failure RecordFailure catches: Step Functions' error
	// name and cause (the message, for a RefusedError).
	Error *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"error,omitempty"`
}

// Logger puts the restore's tenant and id and the step on every line.
func (in RestoreInput) Logger(base *slog.Logger, step string) *slog.Logger {
	return base.With("tenant", in.Tenant, "restoreId", in.RestoreID, "step", step+"/"+in.Step)
}

// RestoreOutput says what the workflow does next.
type RestoreOutput struct {
	Next        string           `json:"next"`
	WaitSeconds int              `json:"waitSeconds"`
	Progress    restore.Progress `json:"progress"`
}

func (h *Restore) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func (h *Restore) waitSeconds() int {
	if h.WaitSeconds > 0 {
		return h.WaitSeconds
	}
	return DefaultRestoreWaitSeconds
}

// Handle runs the task in.Step names.
func (h *Restore) Handle(ctx context.Context, in RestoreInput) (RestoreOutput, error) {
	if in.Tenant == "" || in.RestoreID == "" {
		return RestoreOutput{}, crm.Errorf(crm.Internal, "a restore task needs the tenant and the restore id")
	}
	switch in.Step {
	case RestorePlanStep:
		return h.plan(ctx, in)
	case RestoreWaitStep:
		return h.wait(ctx, in)
	case RestoreActStep:
		return h.act(ctx, in)
	case RestoreExpireStep:
		return h.end(ctx, in, []crm.RestoreStatus{crm.RestorePlanning, crm.RestoreReady}, crm.RestoreExpired,
			"nobody confirmed the restore in time; nothing was written")
	case RestoreFailStep:
		reason := crm.InternalMessage
		if in.Error != nil && in.Error.Error == "RefusedError" && in.Error.Cause != "" {
			var msg struct {
				ErrorMessage string `json:"errorMessage"`
			}
			reason = in.Error.Cause
			if json.Unmarshal([]byte(in.Error.Cause), &msg) == nil && msg.ErrorMessage != "" {
				reason = msg.ErrorMessage
			}
		}
		return h.end(ctx, in, []crm.RestoreStatus{crm.RestorePlanning, crm.RestoreReady, crm.RestoreRestoring}, crm.RestoreFailed, reason)
	}
	return RestoreOutput{}, crm.Errorf(crm.Internal, "unknown restore step %q", in.Step)
}

// plan makes the dry run of a PLANNING restore. A restore confirmed
// already (a new execution over a restore that was killed while writing)
// goes on writing; one READY waits again.
func (h *Restore) plan(ctx context.Context, in RestoreInput) (RestoreOutput, error) {
	r, err := h.Restores.GetRestore(ctx, in.Tenant, in.RestoreID)
	if err != nil {
		return RestoreOutput{}, err
	}
	out := RestoreOutput{Next: RestoreNextEnd, WaitSeconds: h.waitSeconds()}
	switch r.Status {
	case crm.RestoreRestoring:
		out.Next = RestoreNextAct
		return out, nil
	case crm.RestoreReady:
		out.Next = RestoreNextWait
		return out, nil
	case crm.RestorePlanning:
	default:
		return out, nil
	}
	users := r.UserIDs
	if len(users) == 0 {
		all, err := h.Tenants.Users(ctx, r.Tenant)
		if err != nil {
			return out, err
		}
		for _, u := range all {
			users = append(users, u.ID)
		}
	}
	plan, err := h.Planner.Plan(ctx, r, users)
	if err != nil {
		return out, err
	}
	since, err := h.importsSince(ctx, r, plan)
	if err != nil {
		return out, err
	}
	_, _, err = h.Restores.MoveRestore(ctx, r.Tenant, r.ID, []crm.RestoreStatus{crm.RestorePlanning}, func(r *crm.Restore) {
		r.RestoreCounts, r.ImportsSince, r.Total = plan.RestoreCounts, since, plan.Total()
	})
	if err != nil {
		return out, err
	}
	out.Next = RestoreNextWait
	return out, nil
}

// importsSince are the imports whose writes the restore takes back: those
// that last wrote a record it changes, and, when records deleted since
// come back, the imports since the point that deleted records.
func (h *Restore) importsSince(ctx context.Context, r crm.Restore, plan restore.Plan) ([]string, error) {
	since := slices.Clone(plan.ImportsSince)
	point, err := h.Jobs.Get(ctx, r.Tenant, r.Point)
	if err != nil {
		return nil, err
	}
	jobs, err := h.Jobs.List(ctx, r.Tenant)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs { // newest first
		if j.CreatedAt.Before(point.CreatedAt) || j.Counts.Deleted == 0 || plan.PutBack == 0 {
			continue
		}
		if !slices.Contains(since, j.ID) {
			since = append(since, j.ID)
		}
	}
	slices.Sort(since)
	return since, nil
}

// wait records the confirmation's task token: the restore is READY.
func (h *Restore) wait(ctx context.Context, in RestoreInput) (RestoreOutput, error) {
	if in.Token == "" {
		return RestoreOutput{}, crm.Errorf(crm.Internal, "the restore's wait has no task token")
	}
	expires := h.now().Add(time.Duration(h.waitSeconds()) * time.Second)
	_, _, err := h.Restores.MoveRestore(ctx, in.Tenant, in.RestoreID, []crm.RestoreStatus{crm.RestorePlanning, crm.RestoreReady}, func(r *crm.Restore) {
		r.Status, r.Token, r.Expires = crm.RestoreReady, in.Token, expires
	})
	return RestoreOutput{Next: RestoreNextWait}, err
}

// act writes the plan, from where the last invocation stopped, until
// its Lambda nears its end; then the restore ends.
func (h *Restore) act(ctx context.Context, in RestoreInput) (RestoreOutput, error) {
	r, err := h.Restores.GetRestore(ctx, in.Tenant, in.RestoreID)
	if err != nil {
		return RestoreOutput{}, err
	}
	if r.Status != crm.RestoreRestoring {
		return RestoreOutput{Next: RestoreNextEnd}, nil
	}
	body, err := h.Files.Open(ctx, crm.RestoreWork{Tenant: r.Tenant, RestoreID: r.ID}.Plan())
	if err != nil {
		return RestoreOutput{}, err
	}
	var plan restore.Plan
	err = json.NewDecoder(body).Decode(&plan)
	body.Close()
	if err != nil {
		return RestoreOutput{}, crm.Wrap(err, crm.Internal, "read the restore's plan")
	}
	var p restore.Progress
	if in.Progress != nil {
		p = *in.Progress
	}
	stop := func() bool {
		d, ok := ctx.Deadline()
		return ok && time.Until(d) < restoreStopBefore
	}
	p, err = h.Actor.Act(ctx, r, plan, p, stop)
	if err != nil {
		return RestoreOutput{Progress: p}, err
	}
	if p.NextUser < len(plan.Users) {
		return RestoreOutput{Next: RestoreNextMore, Progress: p}, nil
	}
	status, reason := crm.RestoreSucceeded, ""
	if p.Changed > 0 {
		status = crm.RestoreFailed
		reason = changedReason(p.Changed)
	}
	_, after, err := h.Restores.MoveRestore(ctx, r.Tenant, r.ID, []crm.RestoreStatus{crm.RestoreRestoring}, func(r *crm.Restore) {
		r.Status, r.Reason, r.Done, r.Changed, r.EndedAt = status, reason, p.Done, p.Changed, h.now()
	})
	if err != nil {
		return RestoreOutput{Progress: p}, err
	}
	h.announce(ctx, in, after)
	return RestoreOutput{Next: RestoreNextEnd, Progress: p}, nil
}

func changedReason(n int) string {
	if n == 1 {
		return "1 record was changed after the dry run and was left as it is; start the restore again to plan it anew"
	}
	return strconv.Itoa(n) + " records were changed after the dry run and were left as they are; start the restore again to plan them anew"
}

// end moves a restore that has not ended to status, with reason.
func (h *Restore) end(ctx context.Context, in RestoreInput, from []crm.RestoreStatus, status crm.RestoreStatus, reason string) (RestoreOutput, error) {
	_, after, err := h.Restores.MoveRestore(ctx, in.Tenant, in.RestoreID, from, func(r *crm.Restore) {
		r.Status, r.Reason, r.Token, r.EndedAt = status, reason, "", h.now()
	})
	if crm.KindOf(err) == crm.Conflict {
		return RestoreOutput{Next: RestoreNextEnd}, nil // it has ended already
	}
	if err != nil {
		return RestoreOutput{}, err
	}
	h.announce(ctx, in, after)
	return RestoreOutput{Next: RestoreNextEnd}, nil
}

// announce sends RestoreSucceeded or RestoreFailed; an expired restore
// wrote nothing and announces nothing.
func (h *Restore) announce(ctx context.Context, in RestoreInput, r crm.Restore) {
	detail := crm.RestoreEvent{Tenant: r.Tenant, RestoreID: r.ID, RestorePoint: r.Point, Status: r.Status, Reason: r.Reason}
	var err error
	switch r.Status {
	case crm.RestoreSucceeded:
		err = h.Notify.Send(ctx, crm.RestoreSucceededEvent, detail)
	case crm.RestoreFailed:
		err = h.Notify.Send(ctx, crm.RestoreFailedEvent, detail)
	}
	if err != nil && h.Log != nil {
		in.Logger(h.Log, "restore").Error("restore ended but the notification was not sent", "error", err)
	}
}
