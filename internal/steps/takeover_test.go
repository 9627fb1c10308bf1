package steps

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// apiJob is a job as POST /imports creates it, waiting for its file.
func apiJob(id string) crm.Job {
	return crm.Job{
		Tenant: tenant, ID: id, Entity: "customers", Bucket: uploadsName, Status: crm.Uploading,
		Key: "incoming/acme/customers/" + id + "/agents.csv", By: anna.Email, Role: plainUser,
	}
}

func TestTriggerTakesOverTheJobTheAPICreated(t *testing.T) {
	const id = "imp-0123456789abcdef0123456789"
	key := apiJob(id).Key
	tests := []struct {
		name       string
		events     []string
		wantStarts []string // execution names
		wantJobs   int
		wantETag   string
	}{
		{
			name:       "the upload takes the job over under its id",
			events:     []string{s3Event(uploadsName, key, "v1", "e1")},
			wantStarts: []string{id}, wantJobs: 1, wantETag: "e1",
		},
		{
			name:       "the same event twice starts the one import",
			events:     []string{s3Event(uploadsName, key, "v1", "e1"), s3Event(uploadsName, key, "v1", "e1")},
			wantStarts: []string{id, id}, wantJobs: 1, wantETag: "e1",
		},
		{
			name:       "a second upload to the key is ignored: the first one is the import",
			events:     []string{s3Event(uploadsName, key, "v1", "e1"), s3Event(uploadsName, key, "v2", "e2")},
			wantStarts: []string{id}, wantJobs: 1, wantETag: "e1",
		},
		{
			name:       "another file name in the import's folder is a drop",
			events:     []string{s3Event(uploadsName, "incoming/acme/customers/"+id+"/other.csv", "v1", "e1")},
			wantStarts: []string{crm.ImportID(uploadsName, "incoming/acme/customers/"+id+"/other.csv", "v1", "e1")}, wantJobs: 2,
		},
		{
			name:       "an id no job has is a drop",
			events:     []string{s3Event(uploadsName, "incoming/acme/customers/imp-ffffffffffffffffffffffffff/x.csv", "v1", "e1")},
			wantStarts: []string{crm.ImportID(uploadsName, "incoming/acme/customers/imp-ffffffffffffffffffffffffff/x.csv", "v1", "e1")}, wantJobs: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if _, err := f.jobs.Create(ctx, apiJob(id)); err != nil {
				t.Fatal(err)
			}
			for _, ev := range tt.events {
				resp, err := f.trigger().Handle(ctx, sqsBatch(ev))
				if err != nil || len(resp.BatchItemFailures) > 0 {
					t.Fatalf("Handle() = %v, %v, want no failures", resp, err)
				}
			}
			var starts []string
			for _, st := range f.workflow.Starts() {
				starts = append(starts, st.Name)
			}
			if len(starts) != len(tt.wantStarts) || (len(starts) > 0 && starts[0] != tt.wantStarts[0]) {
				t.Errorf("Start() names = %q, want %q", starts, tt.wantStarts)
			}
			if jobs, _ := f.jobs.List(ctx, tenant); len(jobs) != tt.wantJobs {
				t.Errorf("List() = %d jobs, want %d", len(jobs), tt.wantJobs)
			}
			j := f.job(t, id)
			wantStatus := crm.Received
			if tt.wantETag == "" {
				wantStatus = crm.Uploading
			}
			if j.Status != wantStatus || j.ETag != tt.wantETag || j.By != anna.Email {
				t.Errorf("Get(%s) = %s, etag %q, by %q, want %s, etag %q, by %s", id, j.Status, j.ETag, j.By, wantStatus, tt.wantETag, anna.Email)
			}
		})
	}
}

func TestSweeperEndsAnImportWhoseFileNeverCame(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const id = "imp-0123456789abcdef0123456789"
	if _, err := f.jobs.Create(ctx, apiJob(id)); err != nil {
		t.Fatal(err)
	}
	var scheduled events.EventBridgeEvent
	decodeStrict(t, readEvent(t, "scheduled-event.json"), &scheduled)
	if _, err := f.sweeper().Handle(ctx, scheduled); err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if j := f.job(t, id); j.Status != crm.Failed || j.Reason != reasonNotUploaded {
		t.Errorf("job = %s (%s), want FAILED: %s", j.Status, j.Reason, reasonNotUploaded)
	}
}
