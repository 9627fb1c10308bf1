package dynamo

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestJobsCreateIsOnceAndAnEndedJobKeepsItsStatus(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	j := crm.Job{Tenant: "acme", ID: "imp-1", Entity: "customers", Status: crm.Received}

	if created, err := jobs.Create(ctx, j); err != nil || !created {
		t.Fatalf("Create(new) = %v, %v, want true, nil", created, err)
	}
	if created, err := jobs.Create(ctx, j); err != nil || created {
		t.Fatalf("Create(again) = %v, %v, want false, nil", created, err)
	}
	if err := jobs.Update(ctx, "acme", "imp-1", crm.JobChange{Status: crm.Applying, Total: 10, Users: 2}); err != nil {
		t.Fatal(err)
	}
	// Progress and deletions are per user and set, not added: a retried
	// step sets the same numbers again.
	for range 2 {
		if err := jobs.SetProgress(ctx, "acme", "imp-1", "u1", 4); err != nil {
			t.Fatal(err)
		}
		if err := jobs.SetDeletes(ctx, "acme", "imp-1", "u2", 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := jobs.SetProgress(ctx, "acme", "imp-1", "u2", 5); err != nil {
		t.Fatal(err)
	}
	got, err := jobs.Get(ctx, "acme", "imp-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Done != 9 || got.Total != 13 || got.Users != 2 || got.Status != crm.Applying {
		t.Errorf("Get() = done %d total %d users %d status %s, want 9, 13, 2, APPLYING", got.Done, got.Total, got.Users, got.Status)
	}

	if err := jobs.Update(ctx, "acme", "imp-1", crm.JobChange{Status: crm.Failed, Reason: "the file has no data rows"}); err != nil {
		t.Fatal(err)
	}
	err = jobs.Update(ctx, "acme", "imp-1", crm.JobChange{Status: crm.Succeeded})
	if crm.KindOf(err) != crm.Conflict {
		t.Errorf("Update(ended job) error = %v, want a conflict", err)
	}
	got, _ = jobs.Get(ctx, "acme", "imp-1")
	if got.Status != crm.Failed || got.Reason != "the file has no data rows" || got.FinishedAt.IsZero() {
		t.Errorf("ended job = %s %q finished %v, want FAILED with its reason and end time", got.Status, got.Reason, got.FinishedAt)
	}
	if _, err := jobs.Get(ctx, "other", "imp-1"); crm.KindOf(err) != crm.NotFound {
		t.Errorf("Get(another tenant's job) error = %v, want not found", err)
	}
}

func TestTenantsUsersProfileAndConfigs(t *testing.T) {
	client, table, _ := newTable(t)
	tenants := NewTenants(client, table)
	ctx := context.Background()
	for _, u := range []crm.User{{ID: "u1", Email: "a@x.example"}, {ID: "u2", Email: "b@x.example", EmployeeNumber: "007"}} {
		if err := tenants.PutUser(ctx, "acme", u); err != nil {
			t.Fatal(err)
		}
	}
	if err := tenants.PutUser(ctx, "other", crm.User{ID: "u9", Email: "z@y.example"}); err != nil {
		t.Fatal(err)
	}
	users, err := tenants.Users(ctx, "acme")
	if err != nil || len(users) != 2 || users[1].EmployeeNumber != "007" {
		t.Errorf("Users(acme) = %+v, %v, want u1 and u2 with employee number 007", users, err)
	}
	if p, err := tenants.Profile(ctx, "acme"); err != nil || p != (crm.Profile{}) {
		t.Errorf("Profile(no profile) = %+v, %v, want the zero profile", p, err)
	}
	if err := tenants.PutProfile(ctx, "acme", crm.Profile{MaxRows: 10, SyncedFrom: "Dynamics"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := tenants.Profile(ctx, "acme"); p.MaxRows != 10 || p.SyncedFrom != "Dynamics" {
		t.Errorf("Profile(acme) = %+v, want MaxRows 10 synced from Dynamics", p)
	}
	raw := []byte(`{"version": 1, "entity": "customers"}`)
	if err := tenants.SaveConfig(ctx, "acme", "nightly", raw); err != nil {
		t.Fatal(err)
	}
	if got, err := tenants.Config(ctx, "acme", "nightly"); err != nil || string(got) != string(raw) {
		t.Errorf("Config(nightly) = %s, %v, want the saved JSON as written", got, err)
	}
	if _, err := tenants.Config(ctx, "other", "nightly"); crm.KindOf(err) != crm.NotFound {
		t.Errorf("Config(another tenant's) error = %v, want not found", err)
	}
}
