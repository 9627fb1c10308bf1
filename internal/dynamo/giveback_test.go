package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestJobsGiveBackWait: a wait taken for an answer that could not be sent
// goes back on the job only while the job has not moved on; a later wait
// (the answer did arrive) or the job's end stays as it is.
func TestJobsGiveBackWait(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	since := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	old := crm.Wait{For: crm.ForDecision, User: &crm.UserRef{ID: "u-anna", Email: "anna@acme.example", Rows: 2}, Token: "tok-old", Since: since, Expires: since.Add(time.Hour)}
	tests := []struct {
		name  string
		after func(id string) error
		want  crm.Status
		token string
		given bool
	}{
		{"the job still is as TakeWait left it", func(string) error { return nil }, crm.Waiting, "tok-old", true},
		{"the next wait is recorded", func(id string) error {
			return jobs.SetWait(ctx, "acme", id, crm.Wait{For: crm.ForDecision, Token: "tok-new", Since: since, Expires: since.Add(time.Hour)})
		}, crm.Waiting, "tok-new", false},
		{"the job has ended", func(id string) error {
			return jobs.Update(ctx, "acme", id, crm.JobChange{Status: crm.Stopped})
		}, crm.Stopped, "", false},
		{"the job shows another status", func(id string) error {
			return jobs.Update(ctx, "acme", id, crm.JobChange{Status: crm.Previewing})
		}, crm.Previewing, "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "imp-g" + string(rune('0'+i))
			if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: id, Status: crm.Previewing}); err != nil {
				t.Fatal(err)
			}
			if err := jobs.SetWait(ctx, "acme", id, old); err != nil {
				t.Fatal(err)
			}
			if _, err := jobs.TakeWait(ctx, "acme", id, crm.ForDecision, crm.Applying); err != nil {
				t.Fatal(err)
			}
			if err := tt.after(id); err != nil {
				t.Fatal(err)
			}
			err := jobs.GiveBackWait(ctx, "acme", id, old, crm.Applying)
			j, gerr := jobs.Get(ctx, "acme", id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			token := ""
			if j.Wait != nil {
				token = j.Wait.Token
			}
			if (err == nil) != tt.given || (!tt.given && crm.KindOf(err) != crm.Conflict) || j.Status != tt.want || token != tt.token {
				t.Errorf("GiveBackWait = %v, job %s token %q; want given %v (else a Conflict), %s with %q", err, j.Status, token, tt.given, tt.want, tt.token)
			}
			if tt.given && (j.Wait.User == nil || *j.Wait.User != *old.User || !j.Wait.Expires.Equal(old.Expires)) {
				t.Errorf("wait given back = %+v, want %+v", j.Wait, old)
			}
		})
	}
}

// TestJobsSetDroppedTakesAUsersRowsOutOfTheTotal: an excluded or skipped
// user's rows and planned deletions leave the total, once however often
// it is set, so a finished import's progress reaches its total.
func TestJobsSetDroppedTakesAUsersRowsOutOfTheTotal(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-d", Status: crm.Previewing}); err != nil {
		t.Fatal(err)
	}
	// anna 2 rows, bo 3 rows whose plan also deletes 4 records.
	if err := jobs.Update(ctx, "acme", "imp-d", crm.JobChange{Total: 5}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.SetDeletes(ctx, "acme", "imp-d", "u-bo", 4); err != nil {
		t.Fatal(err)
	}
	if err := jobs.SetProgress(ctx, "acme", "imp-d", "u-anna", 2); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := jobs.SetDropped(ctx, "acme", "imp-d", "u-bo", 3); err != nil {
			t.Fatalf("SetDropped = %v", err)
		}
	}
	if j, err := jobs.Get(ctx, "acme", "imp-d"); err != nil || j.Done != 2 || j.Total != 2 {
		t.Errorf("Get = done %d, total %d, %v; want 2/2", j.Done, j.Total, err)
	}
	if err := jobs.SetDropped(ctx, "acme", "missing", "u-bo", 3); err == nil {
		t.Errorf("SetDropped(a missing job) = nil, want an error")
	}
}
