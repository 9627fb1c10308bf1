package dynamo

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestJobsTakeOverGivesAnUploadingJobOneUpload(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	const key = "incoming/acme/customers/imp-1/agents.csv"
	first, second := crm.NewObject(key, "v1", "e1"), crm.NewObject(key, "v2", "e2")
	steps := []struct {
		name       string
		obj        crm.Object
		wantTook   bool
		wantStatus crm.Status
		wantETag   string
	}{
		{"the first upload takes the job over", first, true, crm.Received, "e1"},
		{"the same upload again is still the job's", first, true, crm.Received, "e1"},
		{"a second upload to the key does not", second, false, crm.Received, "e1"},
		{"another key does not", crm.NewObject("incoming/acme/customers/imp-1/other.csv", "v3", "e3"), false, crm.Received, "e1"},
	}
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-1", Entity: "customers", Key: key, Status: crm.Uploading, By: "anna@acme.example", Role: "user", Config: "cfg"}); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		took, err := jobs.TakeOver(ctx, "acme", "imp-1", st.obj)
		if err != nil || took != st.wantTook {
			t.Fatalf("%s: TakeOver(%v) = %v, %v, want %v", st.name, st.obj, took, err, st.wantTook)
		}
		j, err := jobs.Get(ctx, "acme", "imp-1")
		if err != nil || j.Status != st.wantStatus || j.ETag != st.wantETag || j.Version != "v1" {
			t.Errorf("%s: Get() = %s %s/%s, %v, want %s v1/%s", st.name, j.Status, j.Version, j.ETag, err, st.wantStatus, st.wantETag)
		}
		if j.By != "anna@acme.example" || j.Role != "user" || j.Config != "cfg" {
			t.Errorf("%s: Get() = by %q, role %q, config %q, want what the API stored", st.name, j.By, j.Role, j.Config)
		}
	}
	// A job that moved on is not taken over again, even by its own upload
	// repeated: the import is under way and keeps its status.
	if err := jobs.Update(ctx, "acme", "imp-1", crm.JobChange{Status: crm.Validating}); err != nil {
		t.Fatal(err)
	}
	if took, err := jobs.TakeOver(ctx, "acme", "imp-1", first); err != nil || !took {
		t.Errorf("TakeOver(first) after validate = %v, %v, want true (its own)", took, err)
	}
	if j, _ := jobs.Get(ctx, "acme", "imp-1"); j.Status != crm.Validating {
		t.Errorf("status after a repeated take-over = %s, want VALIDATING kept", j.Status)
	}
	if _, err := jobs.TakeOver(ctx, "acme", "imp-missing", first); crm.KindOf(err) != crm.NotFound {
		t.Errorf("TakeOver(missing) error = %v, want NotFound", err)
	}
}
