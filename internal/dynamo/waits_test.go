package dynamo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestJobsWaitIsTakenOnce: the wait step records the task token, and of
// two answers sent at once exactly one takes it; an ended job waits for
// nothing.
func TestJobsWaitIsTakenOnce(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-w", Entity: "customers", Status: crm.Applying, By: "ada@acme.example", Role: "administrator"}); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	want := crm.Wait{For: crm.ForDecision, User: &crm.UserRef{ID: "u-anna", Email: "anna@acme.example", Rows: 2}, Token: "tok-1", Since: since, Expires: since.Add(time.Hour)}
	if err := jobs.SetWait(ctx, "acme", "imp-w", want); err != nil {
		t.Fatalf("SetWait = %v", err)
	}
	if err := jobs.SetUserStatus(ctx, "acme", "imp-w", "u-anna", crm.UserPreviewing); err != nil {
		t.Fatalf("SetUserStatus = %v", err)
	}
	j, err := jobs.Get(ctx, "acme", "imp-w")
	if err != nil || j.Status != crm.Waiting || j.Wait == nil || *j.Wait.User != *want.User || j.Wait.Token != "tok-1" || !j.Wait.Expires.Equal(want.Expires) ||
		j.UserStatus["u-anna"] != crm.UserPreviewing || j.By != "ada@acme.example" || j.Role != "administrator" {
		t.Fatalf("Get = %+v (wait %+v), %v; want WAITING with the wait, anna previewing, By and Role", j, j.Wait, err)
	}
	if _, err := jobs.TakeWait(ctx, "acme", "imp-w", crm.ForSelection, crm.Previewing); crm.KindOf(err) != crm.Conflict {
		t.Errorf("TakeWait(selection) while a decision is awaited = %v, want a Conflict", err)
	}

	var wg sync.WaitGroup
	got := make([]error, 4)
	tokens := make([]string, 4)
	for i := range got {
		wg.Go(func() {
			w, err := jobs.TakeWait(ctx, "acme", "imp-w", crm.ForDecision, crm.Applying)
			got[i], tokens[i] = err, w.Token
		})
	}
	wg.Wait()
	taken := 0
	for i, err := range got {
		switch {
		case err == nil && tokens[i] == "tok-1":
			taken++
		case crm.KindOf(err) == crm.Conflict && strings.Contains(crm.Message(err), crm.WaitEnded):
		default:
			t.Errorf("TakeWait = %q, %v, want the token or a Conflict saying %q", tokens[i], err, crm.WaitEnded)
		}
	}
	if taken != 1 {
		t.Errorf("answers that took the wait = %d, want 1", taken)
	}
	if j, _ := jobs.Get(ctx, "acme", "imp-w"); j.Status != crm.Applying || j.Wait != nil {
		t.Errorf("after the answer the job = %s with wait %+v, want APPLYING without one", j.Status, j.Wait)
	}

	jobs.SetWait(ctx, "acme", "imp-w", want)
	if err := jobs.Update(ctx, "acme", "imp-w", crm.JobChange{Status: crm.Expired, Reason: "expired"}); err != nil {
		t.Fatal(err)
	}
	if j, _ := jobs.Get(ctx, "acme", "imp-w"); j.Status != crm.Expired || j.Wait != nil {
		t.Errorf("an expired job = %s with wait %+v, want EXPIRED without one", j.Status, j.Wait)
	}
	if err := jobs.SetWait(ctx, "acme", "imp-w", want); crm.KindOf(err) != crm.Conflict {
		t.Errorf("SetWait(an ended job) = %v, want a Conflict", err)
	}
	if err := jobs.Update(ctx, "acme", "imp-w", crm.JobChange{Status: crm.Succeeded}); crm.KindOf(err) != crm.Conflict {
		t.Errorf("Update(an EXPIRED job) = %v, want a Conflict: it has ended", err)
	}
}
