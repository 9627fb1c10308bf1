package crmtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

func newJob(t *testing.T) *Jobs {
	t.Helper()
	jobs := NewJobs()
	created, err := jobs.Create(context.Background(), crm.Job{Tenant: "acme", ID: "imp-1", Entity: "customers", Status: crm.Received})
	if err != nil || !created {
		t.Fatalf("Create(imp-1) = %v, %v, want true", created, err)
	}
	return jobs
}

func TestJobsCreateDoesNotOverwrite(t *testing.T) {
	ctx := context.Background()
	jobs := newJob(t)
	created, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-1", Entity: "deals", Status: crm.Failed})
	if err != nil || created {
		t.Errorf("Create(existing) = %v, %v, want false", created, err)
	}
	if j, _ := jobs.Get(ctx, "acme", "imp-1"); j.Entity != "customers" || j.Status != crm.Received {
		t.Errorf("Get(imp-1) = %+v, want the first job unchanged", j)
	}
}

func TestJobsUpdate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		before     []crm.JobChange
		change     crm.JobChange
		id         string
		wantKind   crm.Kind
		wantStatus crm.Status
	}{
		{"a running job changes", nil, crm.JobChange{Status: crm.Validating}, "imp-1", "", crm.Validating},
		{"zero fields are left alone", []crm.JobChange{{Status: crm.Splitting}}, crm.JobChange{Users: 2}, "imp-1", "", crm.Splitting},
		{"a succeeded job is a conflict", []crm.JobChange{{Status: crm.Succeeded}}, crm.JobChange{Status: crm.Failed}, "imp-1", crm.Conflict, crm.Succeeded},
		{"a failed job is a conflict", []crm.JobChange{{Status: crm.Failed}}, crm.JobChange{Status: crm.Succeeded}, "imp-1", crm.Conflict, crm.Failed},
		{"a missing job is a conflict", nil, crm.JobChange{Status: crm.Validating}, "imp-2", crm.Conflict, crm.Received},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := newJob(t)
			for _, c := range tt.before {
				if err := jobs.Update(ctx, "acme", "imp-1", c); err != nil {
					t.Fatalf("Update(%+v) error = %v", c, err)
				}
			}
			err := jobs.Update(ctx, "acme", tt.id, tt.change)
			if got := crm.KindOf(err); got != tt.wantKind {
				t.Errorf("Update(%s, %+v) kind = %q, want %q", tt.id, tt.change, got, tt.wantKind)
			}
			j, _ := jobs.Get(ctx, "acme", "imp-1")
			if j.Status != tt.wantStatus {
				t.Errorf("status after Update = %s, want %s", j.Status, tt.wantStatus)
			}
			if j.Status.Terminal() && j.FinishedAt.IsZero() {
				t.Errorf("FinishedAt of an ended job is zero, want the time it ended")
			}
		})
	}
}

func TestJobsGetSumsPerUserProgressAndDeletes(t *testing.T) {
	ctx := context.Background()
	jobs := newJob(t)
	if err := jobs.Update(ctx, "acme", "imp-1", crm.JobChange{Total: 20}); err != nil {
		t.Fatal(err)
	}
	// A retried apply sets u1's progress again: it must not count twice.
	for _, p := range []struct {
		user string
		done int
	}{{"u1", 10}, {"u2", 5}, {"u1", 12}} {
		if err := jobs.SetProgress(ctx, "acme", "imp-1", p.user, p.done); err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"u1", "u1", "u2"} {
		if err := jobs.SetDeletes(ctx, "acme", "imp-1", user, 3); err != nil {
			t.Fatal(err)
		}
	}
	j, err := jobs.Get(ctx, "acme", "imp-1")
	if err != nil {
		t.Fatal(err)
	}
	if j.Done != 17 || j.Total != 26 {
		t.Errorf("Get() Done, Total = %d, %d, want 17, 26", j.Done, j.Total)
	}
}

func TestJobsMissingJobIsNotFound(t *testing.T) {
	ctx := context.Background()
	jobs := NewJobs()
	tests := []struct {
		method string
		call   func() error
	}{
		{"Get", func() error { _, err := jobs.Get(ctx, "acme", "imp-9"); return err }},
		{"SetProgress", func() error { return jobs.SetProgress(ctx, "acme", "imp-9", "u1", 1) }},
		{"SetDeletes", func() error { return jobs.SetDeletes(ctx, "acme", "imp-9", "u1", 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			if got := crm.KindOf(tt.call()); got != crm.NotFound {
				t.Errorf("%s(missing job) kind = %q, want %q", tt.method, got, crm.NotFound)
			}
		})
	}
}

// The Map runs users' steps in parallel: the doubles must take it (run
// with -race).
func TestJobsAreSafeForConcurrentUse(t *testing.T) {
	ctx := context.Background()
	jobs := newJob(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			user := fmt.Sprintf("u%d", i)
			if err := jobs.SetProgress(ctx, "acme", "imp-1", user, 1); err != nil {
				t.Errorf("SetProgress(%s) error = %v", user, err)
			}
		})
	}
	wg.Wait()
	if j, _ := jobs.Get(ctx, "acme", "imp-1"); j.Done != 20 {
		t.Errorf("Done after 20 users' progress = %d, want 20", j.Done)
	}
}

func TestJobsOpenListsJobsNotEndedOldestFirst(t *testing.T) {
	ctx := context.Background()
	jobs := NewJobs()
	for _, j := range []crm.Job{
		{Tenant: "acme", ID: "imp-1", Status: crm.Received},
		{Tenant: "globex", ID: "imp-2", Status: crm.Received},
		{Tenant: "acme", ID: "imp-3", Status: crm.Received},
	} {
		if _, err := jobs.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // distinct creation times, as the order is by them
	}
	if err := jobs.Update(ctx, "acme", "imp-3", crm.JobChange{Status: crm.Succeeded}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.SetProgress(ctx, "globex", "imp-2", "u1", 7); err != nil {
		t.Fatal(err)
	}
	second, _ := jobs.Get(ctx, "globex", "imp-2")
	tests := []struct {
		name   string
		before time.Time
		want   []string
	}{
		{"open jobs of every tenant, oldest first; not the ended one", time.Now(), []string{"imp-1", "imp-2"}},
		{"only jobs created before the time", second.CreatedAt, []string{"imp-1"}},
	}
	for _, tt := range tests {
		got, err := jobs.Open(ctx, tt.before)
		var ids []string
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		if err != nil || !slices.Equal(ids, tt.want) {
			t.Errorf("%s: Open() = %v, %v, want %v", tt.name, ids, err, tt.want)
		}
		if len(got) == 2 && got[1].Done != 7 {
			t.Errorf("%s: Open() job Done = %d, want 7 as Get gives it", tt.name, got[1].Done)
		}
	}
}

func TestJobsListGivesOneTenantsJobsNewestFirst(t *testing.T) {
	ctx := context.Background()
	jobs := NewJobs()
	// Created in this order; ids sort the other way, so a tie in the
	// clock gives the same order.
	for _, j := range []crm.Job{{Tenant: "acme", ID: "imp-b"}, {Tenant: "globex", ID: "imp-g"}, {Tenant: "acme", ID: "imp-a"}} {
		if ok, err := jobs.Create(ctx, j); !ok || err != nil {
			t.Fatalf("Create(%s) = %v, %v, want true", j.ID, ok, err)
		}
	}
	list, err := jobs.List(ctx, "acme")
	var ids []string
	for _, j := range list {
		ids = append(ids, j.ID)
	}
	if err != nil || !slices.Equal(ids, []string{"imp-a", "imp-b"}) {
		t.Errorf("List(acme) = %v, %v, want [imp-a imp-b]", ids, err)
	}
}
