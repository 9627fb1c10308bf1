package dynamo

import (
	"context"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestLeasesAreHeldByOneImportAtATime(t *testing.T) {
	client, table, _ := newTable(t)
	leases := NewLeases(client, table)
	ctx := context.Background()
	now := time.Now()
	lease := func(holder string, until time.Time) crm.Lease {
		return crm.Lease{Tenant: "acme", User: "anna", Entity: "customers", Holder: holder, Until: until}
	}

	steps := []struct {
		name       string
		do         func() error
		wantHolder string // "" = no error
	}{
		{"a free lease is taken", func() error { return leases.Acquire(ctx, lease("imp-1", now.Add(time.Minute))) }, ""},
		{"its holder renews it", func() error { return leases.Acquire(ctx, lease("imp-1", now.Add(2*time.Minute))) }, ""},
		{"another import waits for it", func() error { return leases.Acquire(ctx, lease("imp-2", now.Add(time.Minute))) }, "imp-1"},
		{"another user's lease is another lease", func() error {
			return leases.Acquire(ctx, crm.Lease{Tenant: "acme", User: "bo", Entity: "customers", Holder: "imp-2", Until: now.Add(time.Minute)})
		}, ""},
		{"another entity's lease is another lease", func() error {
			return leases.Acquire(ctx, crm.Lease{Tenant: "acme", User: "anna", Entity: "deals", Holder: "imp-2", Until: now.Add(time.Minute)})
		}, ""},
		{"a release by another import changes nothing", func() error { return leases.Release(ctx, lease("imp-2", now)) }, ""},
		{"so it still waits", func() error { return leases.Acquire(ctx, lease("imp-2", now.Add(time.Minute))) }, "imp-1"},
		{"the holder releases it", func() error { return leases.Release(ctx, lease("imp-1", now)) }, ""},
		{"then the other import takes it", func() error { return leases.Acquire(ctx, lease("imp-2", now.Add(-time.Second))) }, ""},
		{"a lapsed lease is taken over", func() error { return leases.Acquire(ctx, lease("imp-3", now.Add(time.Minute))) }, ""},
		{"releasing a lease taken over changes nothing", func() error { return leases.Release(ctx, lease("imp-2", now)) }, ""},
		{"the new holder keeps it", func() error { return leases.Acquire(ctx, lease("imp-1", now.Add(time.Minute))) }, "imp-3"},
	}
	for _, s := range steps {
		err := s.do()
		switch {
		case s.wantHolder == "" && err != nil:
			t.Fatalf("%s: error %v, want none", s.name, err)
		case s.wantHolder != "" && (crm.KindOf(err) != crm.Busy || crm.HolderOf(err) != s.wantHolder):
			t.Fatalf("%s: error %v (kind %q, holder %q), want Busy naming %s", s.name, err, crm.KindOf(err), crm.HolderOf(err), s.wantHolder)
		}
	}
}

func TestJobsRecordWhatAUserWaitsFor(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-2", Status: crm.Applying}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		user, holder string
		want         map[string]string
	}{
		{"anna", "imp-1", map[string]string{"anna": "imp-1"}},
		{"bo", "imp-1", map[string]string{"anna": "imp-1", "bo": "imp-1"}},
		{"anna", "", map[string]string{"bo": "imp-1"}},
		{"bo", "", nil},
	} {
		if err := jobs.SetWaiting(ctx, "acme", "imp-2", step.user, step.holder); err != nil {
			t.Fatalf("SetWaiting(%s, %q): %v", step.user, step.holder, err)
		}
		j, err := jobs.Get(ctx, "acme", "imp-2")
		if err != nil {
			t.Fatal(err)
		}
		if len(j.Waiting) != len(step.want) {
			t.Fatalf("after SetWaiting(%s, %q) Waiting = %v, want %v", step.user, step.holder, j.Waiting, step.want)
		}
		for u, h := range step.want {
			if j.Waiting[u] != h {
				t.Fatalf("after SetWaiting(%s, %q) Waiting = %v, want %v", step.user, step.holder, j.Waiting, step.want)
			}
		}
	}
}
