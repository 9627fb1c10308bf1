package steps

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

const sweepDeadline = 30 * time.Minute

// sweeper returns the sweeper of the fixture's world, with a clock an hour
// ahead: every job the test creates is past the deadline.
func (f *fixture) sweeper() *Sweeper {
	return &Sweeper{
		Jobs: f.jobs, Workflow: f.workflow, Records: f.records, Files: f.files, Notify: f.notifier,
		Leases: f.leases, Tenants: f.tenants, Limits: f.limits, Deadline: sweepDeadline, Log: discard,
		Now: func() time.Time { return time.Now().Add(time.Hour) },
	}
}

// stuckJob is a job of acme as a test leaves it: its status, and its
// execution's ("" for none started).
type stuckJob struct {
	id        string
	status    crm.Status
	execution crm.ExecutionStatus
}

// leave creates the job as the trigger does, moves it to its status as the
// steps do, and starts and ends its execution.
func (f *fixture) leave(t *testing.T, j stuckJob) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: j.id, Entity: "customers", Status: crm.Received}); err != nil {
		t.Fatal(err)
	}
	if j.status != crm.Received {
		c := crm.JobChange{Status: j.status, Counts: &crm.Counts{Rows: 40, Invalid: 2}}
		if err := f.jobs.Update(ctx, tenant, j.id, c); err != nil {
			t.Fatal(err)
		}
	}
	if j.execution == "" {
		return
	}
	if _, err := f.workflow.Start(ctx, j.id, State{ImportID: j.id, Tenant: tenant, Entity: "customers"}); err != nil {
		t.Fatal(err)
	}
	if j.execution != crm.ExecutionRunning {
		f.workflow.SetStatus(j.id, j.execution)
	}
}

func TestSweepEndsEachStuckJobWithItsReason(t *testing.T) {
	tests := []struct {
		name       string
		job        stuckJob
		wantEnded  bool
		wantReason string
	}{
		{"a stopped execution's job says it was stopped",
			stuckJob{"imp-stopped", crm.Applying, crm.ExecutionAborted}, true, "the import was stopped before it finished"},
		{"a timed-out execution's job says it took too long",
			stuckJob{"imp-timeout", crm.Validating, crm.ExecutionTimedOut}, true, "the import took too long and was stopped"},
		{"a job whose failure could not be recorded gets the internal message",
			stuckJob{"imp-failed", crm.Applying, crm.ExecutionFailed}, true, crm.InternalMessage},
		{"a job the workflow finished without closing gets the internal message",
			stuckJob{"imp-unclosed", crm.Applying, crm.ExecutionSucceeded}, true, crm.InternalMessage},
		{"a received job without an execution (its event dead-lettered) says to upload again",
			stuckJob{"imp-dlq", crm.Received, ""}, true, "the import could not be started; please upload the file again"},
		{"a job past its steps whose execution is gone gets the internal message",
			stuckJob{"imp-gone", crm.Splitting, ""}, true, crm.InternalMessage},
		{"a job whose execution runs is left alone",
			stuckJob{"imp-running", crm.Applying, crm.ExecutionRunning}, false, ""},
		{"a received job whose execution runs is left alone",
			stuckJob{"imp-starting", crm.Received, crm.ExecutionRunning}, false, ""},
		{"a job whose execution waits for a redrive is left alone",
			stuckJob{"imp-redrive", crm.Applying, "PENDING_REDRIVE"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.leave(t, tt.job)
			before := f.job(t, tt.job.id)

			rep, err := f.sweeper().Sweep(context.Background(), SweepRequest{})
			if err != nil {
				t.Fatalf("Sweep() error = %v", err)
			}
			want := SweepReport{Open: 1}
			if tt.wantEnded {
				want.Ended = []string{tt.job.id}
			} else {
				want.Running = []string{tt.job.id}
			}
			if !reflect.DeepEqual(rep, want) {
				t.Errorf("Sweep() = %+v, want %+v", rep, want)
			}
			j := f.job(t, tt.job.id)
			if !tt.wantEnded {
				if j.Status != before.Status || len(f.notifier.Events()) != 0 {
					t.Errorf("job left alone = %s with %d events, want %s and none", j.Status, len(f.notifier.Events()), before.Status)
				}
				return
			}
			if j.Status != crm.Failed || j.Reason != tt.wantReason || j.FinishedAt.IsZero() {
				t.Errorf("job = %s %q finished %v, want FAILED %q with its end time", j.Status, j.Reason, j.FinishedAt, tt.wantReason)
			}
			if j.Counts != before.Counts {
				t.Errorf("job counts = %+v, want the counts it had (%+v)", j.Counts, before.Counts)
			}
			if sent := f.sent(t); sent != crm.ImportFailed {
				t.Errorf("event sent = %q, want %s", sent, crm.ImportFailed)
			}
			var sum crm.Summary
			if err := json.Unmarshal(f.files.Data(crm.Work{Tenant: tenant, ImportID: tt.job.id}.Summary()), &sum); err != nil {
				t.Fatalf("summary: %v", err)
			}
			if sum.Status != crm.Failed || sum.Reason != tt.wantReason || sum.ImportID != tt.job.id {
				t.Errorf("summary = %+v, want FAILED with reason %q", sum, tt.wantReason)
			}
		})
	}
}

func TestSweepSaysWhatAStoppedImportHadChanged(t *testing.T) {
	f := newFixture(t)
	job := stuckJob{"imp-half", crm.Applying, crm.ExecutionAborted}
	f.leave(t, job)
	f.beforeImages(t, State{ImportID: job.id, Tenant: tenant}, anna.ID, 12)

	if _, err := f.sweeper().Sweep(context.Background(), SweepRequest{}); err != nil {
		t.Fatalf("Sweep() error = %v", err)
	}
	want := "the import was stopped before it finished (before it stopped, 12 records had been changed or were about to be)"
	if j := f.job(t, job.id); j.Reason != want {
		t.Errorf("reason = %q, want %q", j.Reason, want)
	}
}

func TestSweepLooksOnlyAtOpenJobsPastTheDeadline(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.leave(t, stuckJob{"imp-stopped", crm.Applying, crm.ExecutionAborted})
	f.leave(t, stuckJob{"imp-done", crm.Applying, crm.ExecutionSucceeded})
	if err := f.jobs.Update(ctx, tenant, "imp-done", crm.JobChange{Status: crm.Succeeded}); err != nil {
		t.Fatal(err)
	}
	zero, negative := 0, -5
	tests := []struct {
		name      string
		clock     time.Duration // ahead of the jobs' creation
		req       SweepRequest
		wantEnded []string
		wantKind  crm.Kind
	}{
		{"a job younger than the deadline is not looked at", sweepDeadline / 2, SweepRequest{}, nil, ""},
		{"another tenant's sweep does not look at it", time.Hour, SweepRequest{Tenant: "globex"}, nil, ""},
		{"a sweep by hand with no deadline looks at it at once", 0, SweepRequest{OlderThanSeconds: &zero, Tenant: tenant}, []string{"imp-stopped"}, ""},
		{"a negative deadline is refused", time.Hour, SweepRequest{OlderThanSeconds: &negative}, nil, crm.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := f.sweeper()
			s.Now = func() time.Time { return time.Now().Add(tt.clock) }
			rep, err := s.Sweep(ctx, tt.req)
			if crm.KindOf(err) != tt.wantKind {
				t.Fatalf("Sweep(%+v) error = %v, want kind %q", tt.req, err, tt.wantKind)
			}
			if !slices.Equal(rep.Ended, tt.wantEnded) || slices.Contains(rep.Running, "imp-done") {
				t.Errorf("Sweep(%+v) = %+v, want ended %v and the succeeded job not looked at", tt.req, rep, tt.wantEnded)
			}
		})
	}
	if j := f.job(t, "imp-done"); j.Status != crm.Succeeded {
		t.Errorf("succeeded job = %s, want SUCCEEDED still", j.Status)
	}
}

func TestSweepGoesOnPastAJobItCannotRead(t *testing.T) {
	f := newFixture(t)
	f.leave(t, stuckJob{"imp-a", crm.Applying, crm.ExecutionAborted})
	f.leave(t, stuckJob{"imp-b", crm.Applying, crm.ExecutionAborted})
	f.workflow.FailCall("Status", 1, crm.Errorf(crm.Unavailable, "the workflow service is busy"))

	rep, err := f.sweeper().Sweep(context.Background(), SweepRequest{})
	if crm.KindOf(err) != crm.Unavailable || !strings.Contains(err.Error(), "1 of 2 open imports could not be swept") {
		t.Errorf("Sweep() error = %v, want one of two not swept, to try again", err)
	}
	if rep.Open != 2 || len(rep.Ended) != 1 {
		t.Errorf("Sweep() = %+v, want 2 looked at and the other one ended", rep)
	}
}

func TestSweepLeavesAJobThatEndedMeanwhile(t *testing.T) {
	f := newFixture(t)
	f.leave(t, stuckJob{"imp-late", crm.Applying, crm.ExecutionFailed})
	// RecordFailure's last retry closes the job between the sweep's read
	// and its write: the adapter's condition answers a conflict.
	f.jobs.FailNext("Update", crm.Errorf(crm.Conflict, "import imp-late has already ended or does not exist"))

	rep, err := f.sweeper().Sweep(context.Background(), SweepRequest{})
	if err != nil {
		t.Fatalf("Sweep() error = %v", err)
	}
	if len(rep.Ended) != 0 || len(f.notifier.Events()) != 0 || len(f.files.Keys(crm.WorkPrefix)) != 0 {
		t.Errorf("Sweep() = %+v with %d events and work files %v, want nothing ended, announced or written", rep, len(f.notifier.Events()), f.files.Keys(crm.WorkPrefix))
	}
}

func TestExecutionStatusChangeEndsTheJobAtOnce(t *testing.T) {
	aborted := readEvent(t, "sfn-execution-aborted.json")
	var captured events.EventBridgeEvent
	decodeStrict(t, aborted, &captured)
	var change ExecutionChange
	if err := json.Unmarshal(captured.Detail, &change); err != nil {
		t.Fatal(err)
	}
	var input State
	decodeStrict(t, readEvent(t, "validate-input.json"), &input)
	// The event of another status, of an execution with other input.
	withDetail := func(edit func(*ExecutionChange)) events.EventBridgeEvent {
		c := change
		edit(&c)
		ev := captured
		ev.Detail, _ = json.Marshal(c)
		return ev
	}
	otherInput := `{"hello":"world"}`
	tests := []struct {
		name       string
		jobStatus  crm.Status // "" for no job
		event      events.EventBridgeEvent
		wantEnded  bool
		wantReason string
	}{
		{"an aborted execution's job ends FAILED, stopped", crm.Applying, captured, true, reasonStopped},
		{"a timed-out execution's job ends FAILED, too long", crm.Validating,
			withDetail(func(c *ExecutionChange) { c.Status = crm.ExecutionTimedOut }), true, reasonTooLong},
		{"a failed execution's job that RecordFailure closed is left as it is", crm.Failed,
			withDetail(func(c *ExecutionChange) { c.Status = crm.ExecutionFailed }), false, "the file has no data rows"},
		{"an execution with another input names no job", crm.Applying,
			withDetail(func(c *ExecutionChange) { c.Input = &otherInput }), false, ""},
		{"an execution without its input names no job", crm.Applying,
			withDetail(func(c *ExecutionChange) { c.Input = nil }), false, ""},
		{"an event without a status ends nothing", crm.Applying,
			withDetail(func(c *ExecutionChange) { c.Status = "" }), false, ""},
		{"an execution whose job does not exist ends nothing", "", captured, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			if tt.jobStatus != "" {
				f.leave(t, stuckJob{input.ImportID, crm.Applying, ""})
				c := crm.JobChange{Status: tt.jobStatus}
				if tt.jobStatus == crm.Failed {
					c.Reason = "the file has no data rows"
				}
				if err := f.jobs.Update(ctx, tenant, input.ImportID, c); err != nil {
					t.Fatal(err)
				}
			}
			s := f.sweeper()
			// Events are handled when they come, whatever the deadline.
			s.Now = time.Now

			rep, err := s.Handle(ctx, tt.event)
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if ended := slices.Equal(rep.Ended, []string{input.ImportID}); ended != tt.wantEnded {
				t.Errorf("Handle() = %+v, want ended %v", rep, tt.wantEnded)
			}
			if tt.jobStatus == "" {
				return
			}
			j := f.job(t, input.ImportID)
			if tt.wantEnded && (j.Status != crm.Failed || j.Reason != tt.wantReason || f.sent(t) != crm.ImportFailed) {
				t.Errorf("job = %s %q, want FAILED %q, announced", j.Status, j.Reason, tt.wantReason)
			}
			if !tt.wantEnded && (j.Status != tt.jobStatus || j.Reason != tt.wantReason || len(f.notifier.Events()) != 0) {
				t.Errorf("job = %s %q with %d events, want %s %q as it was", j.Status, j.Reason, len(f.notifier.Events()), tt.jobStatus, tt.wantReason)
			}
		})
	}
}

func TestHandleSweepsOnTheScheduleAndRefusesOtherEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.leave(t, stuckJob{"imp-dlq", crm.Received, ""})
	var scheduled events.EventBridgeEvent
	decodeStrict(t, readEvent(t, "scheduled-event.json"), &scheduled)

	rep, err := f.sweeper().Handle(ctx, scheduled)
	if err != nil || !slices.Equal(rep.Ended, []string{"imp-dlq"}) {
		t.Errorf("Handle(scheduled event) = %+v, %v, want imp-dlq ended", rep, err)
	}
	other := events.EventBridgeEvent{DetailType: "Object Created", Detail: json.RawMessage(`{}`)}
	if _, err := f.sweeper().Handle(ctx, other); crm.KindOf(err) != crm.Invalid || !strings.Contains(err.Error(), "Object Created") {
		t.Errorf("Handle(Object Created) error = %v, want a refusal naming the event", err)
	}
}

func TestSweeperEventsRoundTrip(t *testing.T) {
	for _, file := range []string{"sfn-execution-aborted.json", "scheduled-event.json"} {
		t.Run(file, func(t *testing.T) {
			data := readEvent(t, file)
			want, got := jsonValue(t, data), jsonValue(t, roundTrip[events.EventBridgeEvent](t, data))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s encoded back = %v, want %v", file, got, want)
			}
		})
	}
}
