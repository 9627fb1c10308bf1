package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// jobsFunc is a jobReader made of a function.
type jobsFunc func(tenant, id string) (crm.Job, error)

func (f jobsFunc) Get(_ context.Context, tenant, id string) (crm.Job, error) { return f(tenant, id) }

// script answers each read with the next job of the list, the last one
// for good; a zero Job stands for one the trigger has not created yet.
func script(jobs ...crm.Job) jobsFunc {
	n := 0
	return func(tenant, id string) (crm.Job, error) {
		j := jobs[min(n, len(jobs)-1)]
		n++
		if j.Status == "" {
			return crm.Job{}, crm.Errorf(crm.NotFound, "import %s not found", id)
		}
		return j, nil
	}
}

func TestFollowJobPrintsEachStatusOnce(t *testing.T) {
	jobs := script(
		crm.Job{},
		crm.Job{Status: crm.Received},
		crm.Job{Status: crm.Received},
		crm.Job{Status: crm.Validating},
		crm.Job{Status: crm.Applying, Total: 12},
		crm.Job{Status: crm.Applying, Done: 6, Total: 12},
		crm.Job{ID: "imp-1", Status: crm.Succeeded, Done: 12, Total: 12},
	)
	var out bytes.Buffer
	j, err := followJob(context.Background(), &out, jobs, "imp-1", time.Millisecond)
	if err != nil || j.ID != "imp-1" || j.Status != crm.Succeeded {
		t.Fatalf("followJob = %+v, %v, want the succeeded job", j, err)
	}
	want := "  RECEIVED   0/0 rows applied\n" +
		"  VALIDATING 0/0 rows applied\n" +
		"  APPLYING   0/12 rows applied\n" +
		"  SUCCEEDED  12/12 rows applied\n"
	if got := out.String(); got != want {
		t.Errorf("followJob printed\n%s\nwant\n%s", got, want)
	}
}

func TestFollowJobGivesUpWhenTheTimeIsOver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := followJob(ctx, &bytes.Buffer{}, script(crm.Job{Status: crm.Validating}), "imp-1", time.Millisecond)
	if want := `import imp-1 did not end in time (last status "VALIDATING")`; err == nil || err.Error() != want {
		t.Errorf("followJob(a job that never ends) = %v, want %q", err, want)
	}
}

func TestSummaryShowsAReasonOnlyWhenThereIsOne(t *testing.T) {
	tests := []struct {
		name       string
		job        crm.Job
		wantReason bool
	}{
		{"succeeded", crm.Job{ID: "imp-1", Status: crm.Succeeded, Counts: crm.Counts{Rows: 12, Created: 12}}, false},
		{"failed", crm.Job{ID: "imp-1", Status: crm.Failed, Reason: "the file is empty"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printSummary(&out, tt.job, 12)
			got := out.String()
			for _, want := range []string{"| import              | imp-1", "| records in DynamoDB | 12", `job record: {"tenant":"","id":"imp-1"`} {
				if !strings.Contains(got, want) {
					t.Errorf("printSummary printed\n%s\nwant it to contain %q", got, want)
				}
			}
			if has := strings.Contains(got, "| reason"); has != tt.wantReason {
				t.Errorf("printSummary printed\n%s\nwith a reason row: %v, want %v", got, has, tt.wantReason)
			}
		})
	}
}

func TestStackFromEnvReadsTheFunctionsVariables(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" for none
	}{
		{"all set", map[string]string{"TABLE_NAME": "t", "BUCKET_NAME": "b", "STATE_MACHINE_ARN": "arn:sm"}, ""},
		{"no state machine", map[string]string{"TABLE_NAME": "t", "BUCKET_NAME": "b"}, "STATE_MACHINE_ARN must be set"},
		{"no table", map[string]string{"BUCKET_NAME": "b", "STATE_MACHINE_ARN": "arn:sm"}, "TABLE_NAME and BUCKET_NAME must be set"},
		{"only the short names", map[string]string{"TABLE": "t", "BUCKET": "b", "STATE_MACHINE_ARN": "arn:sm"}, "TABLE_NAME and BUCKET_NAME must be set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"TABLE_NAME", "BUCKET_NAME", "STATE_MACHINE_ARN", "TABLE", "BUCKET"} {
				t.Setenv(k, tt.env[k])
			}
			st, err := stackFromEnv(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("stackFromEnv() = %v, want no error", err)
			case tt.wantErr == "":
				if st.Table != "t" || st.BucketName != "b" || st.StateMachineARN != "arn:sm" {
					t.Errorf("stackFromEnv() = table %q, bucket %q, state machine %q, want t, b, arn:sm", st.Table, st.BucketName, st.StateMachineARN)
				}
			case err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "source .localcloud/env"):
				t.Errorf("stackFromEnv() = %v, want an error saying %q and how to set it", err, tt.wantErr)
			}
		})
	}
}
