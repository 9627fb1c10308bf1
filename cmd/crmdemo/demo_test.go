package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

// importsFunc is an importReader made of a function.
type importsFunc func(id string) (apiclient.Import, error)

func (f importsFunc) Import(_ context.Context, id string) (apiclient.Import, error) { return f(id) }

// script answers each read with the next import of the list, the last
// one for good.
func script(imps ...apiclient.Import) importsFunc {
	n := 0
	return func(id string) (apiclient.Import, error) {
		imp := imps[min(n, len(imps)-1)]
		n++
		return imp, nil
	}
}

func TestFollowImportPrintsEachStatusOnceAndStopsWhenItWaitsOrEnds(t *testing.T) {
	tests := []struct {
		name       string
		imps       []apiclient.Import
		wantStatus crm.Status
		want       string
	}{
		{
			name: "until it waits for the tenant",
			imps: []apiclient.Import{
				{Status: crm.Uploading}, {Status: crm.Received}, {Status: crm.Validating},
				{Status: crm.Waiting, Waiting: &apiclient.Waiting{For: apiclient.ForSelection}},
			},
			wantStatus: crm.Waiting,
			want:       "  UPLOADING  0/0 rows applied\n  RECEIVED   0/0 rows applied\n  VALIDATING 0/0 rows applied\n  WAITING    0/0 rows applied\n",
		},
		{
			name: "until it ends",
			imps: []apiclient.Import{
				{Status: crm.Applying, Total: 12}, {Status: crm.Applying, Done: 6, Total: 12},
				{Status: crm.Succeeded, Done: 12, Total: 12},
			},
			wantStatus: crm.Succeeded,
			want:       "  APPLYING   0/12 rows applied\n  SUCCEEDED  12/12 rows applied\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			imp, err := followImport(context.Background(), &out, script(tt.imps...), "imp-1", time.Millisecond)
			if err != nil || imp.Status != tt.wantStatus {
				t.Fatalf("followImport = %s, %v, want %s", imp.Status, err, tt.wantStatus)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("followImport printed\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestFollowImportGivesUpWhenTheTimeIsOver(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := followImport(ctx, &bytes.Buffer{}, script(apiclient.Import{Status: crm.Validating}), "imp-1", time.Millisecond)
	if want := `import imp-1 did not end in time (last status "VALIDATING")`; err == nil || err.Error() != want {
		t.Errorf("followImport(an import that never ends) = %v, want %q", err, want)
	}
}

func TestSummaryShowsEachUserAndAReasonOnlyWhenThereIsOne(t *testing.T) {
	users := []apiclient.UserSummary{
		{Email: "anna.berg@demo.example", Rows: 7, Counts: crm.Counts{Rows: 7, Created: 7}},
		{Email: "jonas.weber@demo.example", Rows: 5, Counts: crm.Counts{Rows: 5, Created: 5}},
	}
	tests := []struct {
		name       string
		sum        apiclient.Summary
		wantReason bool
	}{
		{"succeeded", apiclient.Summary{ID: "imp-1", Status: crm.Succeeded, Counts: crm.Counts{Rows: 12, Created: 12}, Users: users}, false},
		{"failed", apiclient.Summary{ID: "imp-1", Status: crm.Failed, Reason: "the file is empty", Users: users}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printSummary(&out, tt.sum, map[string]int{"anna.berg@demo.example": 7, "jonas.weber@demo.example": 5})
			got := out.String()
			for _, want := range []string{"anna.berg@demo.example   |    7 |       7 |", "jonas.weber@demo.example |    5 |       5 |", "ALL USERS", "|                   5 |", "import imp-1 "} {
				if !strings.Contains(got, want) {
					t.Errorf("printSummary printed\n%s\nwant it to contain %q", got, want)
				}
			}
			if has := strings.Contains(got, "reason: "); has != tt.wantReason {
				t.Errorf("printSummary printed\n%s\nwith a reason: %v, want %v", got, has, tt.wantReason)
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

func TestLoginFromEnvNeedsTheAPIAndTheDemoAdministrator(t *testing.T) {
	full := map[string]string{"API_URL": "http://x/_api/a", "USER_POOL_CLIENT_ID": "c", "DEMO_USER": "admin@demo.example", "DEMO_PASSWORD": "p", "AWS_REGION": "us-east-1"}
	for _, missing := range []string{"", "API_URL", "USER_POOL_CLIENT_ID", "DEMO_USER", "DEMO_PASSWORD"} {
		t.Run("without "+missing, func(t *testing.T) {
			for k, v := range full {
				if k == missing {
					v = ""
				}
				t.Setenv(k, v)
			}
			l, err := loginFromEnv()
			if missing == "" {
				if err != nil || l.API != full["API_URL"] || l.Cognito.ClientID != "c" || l.User != full["DEMO_USER"] || l.Cognito.Region != "us-east-1" {
					t.Errorf("loginFromEnv() = %+v, %v, want the variables' values", l, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), missing) {
				t.Errorf("loginFromEnv() without %s = %v, want an error naming it", missing, err)
			}
		})
	}
}
