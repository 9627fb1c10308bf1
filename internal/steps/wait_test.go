package steps

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

func (f *fixture) wait(now time.Time) *Wait {
	return &Wait{Jobs: f.jobs, Leases: f.leases, Tenants: f.tenants, Limits: f.limits, Notify: f.notifier, Log: discard, Now: func() time.Time { return now }}
}

func TestWaitRecordsTheTokenAndAnnouncesIt(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	annaRef := crm.UserRef{ID: anna.ID, Email: anna.Email, Rows: 2}
	tests := []struct {
		name string
		wz   Wizard
		want WaitingEvent
	}{
		{"the selection", Wizard{Next: NextWait, For: crm.ForSelection, WaitSeconds: 60, Left: []crm.UserRef{annaRef}},
			WaitingEvent{Tenant: tenant, ImportID: "imp-w", For: crm.ForSelection}},
		{"a decision, naming the user in turn", Wizard{Next: NextWait, For: crm.ForDecision, WaitSeconds: 60, Left: []crm.UserRef{annaRef},
			Plan: &UserPlan{Entity: "customers"}},
			WaitingEvent{Tenant: tenant, ImportID: "imp-w", For: crm.ForDecision, User: &annaRef}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-w", Status: crm.Applying})
			// The preview took the user's lease: the wait gives it up.
			f.leases.Acquire(ctx, userLease(tenant, "imp-w", anna.ID, "customers"))
			wz := tt.wz
			s := State{ImportID: "imp-w", Tenant: tenant, Wizard: &wz}
			if _, err := f.wait(now).Handle(ctx, WaitInput{State: s, Token: "tok-1"}); err != nil {
				t.Fatalf("Wait.Handle = %v", err)
			}
			j, _ := f.jobs.Get(ctx, tenant, "imp-w")
			if j.Status != crm.Waiting || j.Wait == nil || j.Wait.Token != "tok-1" || j.Wait.For != tt.want.For || !j.Wait.Expires.Equal(now.Add(time.Minute)) {
				t.Errorf("job = %s %+v, want WAITING for %s with the token, expiring in a minute", j.Status, j.Wait, tt.want.For)
			}
			evs := f.notifier.Events()
			want, _ := json.Marshal(tt.want)
			if len(evs) != 1 || evs[0].DetailType != crm.ImportWaiting || string(evs[0].Detail) != string(want) {
				t.Errorf("events = %v, want one ImportWaiting %s", evs, want)
			}
			held := f.leases.Holder(tenant, anna.ID, "customers")
			if tt.want.For == crm.ForDecision && held != "" {
				t.Errorf("lease of anna held by %q during the wait for a decision, want none", held)
			}
		})
	}
}

func TestATakenWaitIsTakenOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-w", Status: crm.Applying})
	s := State{ImportID: "imp-w", Tenant: tenant, Wizard: &Wizard{Next: NextWait, For: crm.ForSelection, WaitSeconds: 60}}
	if _, err := f.wait(time.Now()).Handle(ctx, WaitInput{State: s, Token: "tok-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.jobs.TakeWait(ctx, tenant, "imp-w", crm.ForDecision, crm.Applying); crm.KindOf(err) != crm.Conflict {
		t.Errorf("TakeWait(decision) while waiting for the selection = %v, want a Conflict", err)
	}
	if w, err := f.jobs.TakeWait(ctx, tenant, "imp-w", crm.ForSelection, crm.Previewing); err != nil || w.Token != "tok-1" {
		t.Errorf("TakeWait(selection) = %+v, %v, want the token", w, err)
	}
	if _, err := f.jobs.TakeWait(ctx, tenant, "imp-w", crm.ForSelection, crm.Previewing); crm.KindOf(err) != crm.Conflict || !strings.Contains(crm.Message(err), crm.WaitEnded) {
		t.Errorf("TakeWait(selection) again = %v, want a Conflict saying %q", err, crm.WaitEnded)
	}
}

// TestFinalizeEndsStoppedAndExpiredImports: what was applied is in the
// summary, the job ends with the reason, and the event says how it ended.
func TestFinalizeEndsStoppedAndExpiredImports(t *testing.T) {
	ctx := context.Background()
	applied := crm.UserResult{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: anna.ID, Email: anna.Email, Rows: 2}, Counts: crm.Counts{Created: 2}}
	users := []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}, {ID: bo.ID, Email: bo.Email, Rows: 1}}
	tests := []struct {
		name    string
		s       State
		status  crm.Status
		event   string
		reason  string
		created int
	}{
		{
			name: "stopped after back",
			s: State{Wizard: &Wizard{Next: NextFinalize, Ended: crm.Stopped, For: crm.ForResume, All: users,
				Left: users[1:], Results: []crm.UserResult{applied}}},
			status: crm.Stopped, event: crm.ImportStopped, reason: "1 of its 2 users", created: 2,
		},
		{
			name: "expired waiting for a decision",
			s: State{Expired: &StepError{Error: "States.Timeout"}, Wizard: &Wizard{Next: NextWait, For: crm.ForDecision, WaitSeconds: 7 * 86400,
				All: users, Left: users[1:], Results: []crm.UserResult{applied}}},
			status: crm.Expired, event: crm.ImportExpired, reason: "waited 7 days for your decision on the preview of bo@acme.example", created: 2,
		},
		{
			name: "expired waiting for the selection",
			s: State{Expired: &StepError{Error: "States.Timeout"}, Wizard: &Wizard{Next: NextWait, For: crm.ForSelection, WaitSeconds: 2,
				All: users, Left: users}},
			status: crm.Expired, event: crm.ImportExpired, reason: "waited 2 seconds for your selection of users",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := tt.s
			s.ImportID, s.Tenant, s.Entity, s.Rows = "imp-w", tenant, "customers", 3
			m, err := putMapItems(ctx, f.files, s.work(), users)
			if err != nil {
				t.Fatal(err)
			}
			s.Map = m
			f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: s.ImportID, Status: crm.Waiting, Wait: &crm.Wait{For: crm.ForSelection, Token: "t"}})
			sum, err := f.finalize().Handle(ctx, s)
			if err != nil {
				t.Fatalf("Finalize.Handle = %v", err)
			}
			j, _ := f.jobs.Get(ctx, tenant, s.ImportID)
			if j.Status != tt.status || !strings.Contains(j.Reason, tt.reason) || j.Wait != nil || j.Counts.Created != tt.created {
				t.Errorf("job = %s (%s) wait %+v counts %+v, want %s saying %q, no wait, %d created", j.Status, j.Reason, j.Wait, j.Counts, tt.status, tt.reason, tt.created)
			}
			if sum.Status != tt.status || len(sum.Users) != len(s.Wizard.Results) {
				t.Errorf("summary = %+v, want %s listing the users applied", sum, tt.status)
			}
			if evs := f.notifier.Events(); len(evs) != 1 || evs[0].DetailType != tt.event {
				t.Errorf("events = %v, want one %s", evs, tt.event)
			}
		})
	}
}

func TestSweepLeavesAWaitingImportAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.leave(t, stuckJob{id: "imp-waits", status: crm.Applying, execution: crm.ExecutionRunning})
	if err := f.jobs.SetWait(ctx, tenant, "imp-waits", crm.Wait{For: crm.ForDecision, Token: "t"}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.sweeper().Sweep(ctx, SweepRequest{})
	if err != nil || len(rep.Ended) != 0 || len(rep.Running) != 1 {
		t.Errorf("Sweep = %+v, %v, want the waiting import left alone", rep, err)
	}
	if j, _ := f.jobs.Get(ctx, tenant, "imp-waits"); j.Status != crm.Waiting {
		t.Errorf("job = %s, want still WAITING", j.Status)
	}
}
