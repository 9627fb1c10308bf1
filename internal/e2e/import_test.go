package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

var anna = crm.User{ID: "u-anna", Email: "anna.berg@demo.example", EmployeeNumber: "1007"}

const germanCustomers = `{
  "version": 1,
  "entity": "customers",
  "mode": "update",
  "key_fields": ["customer_number"],
  "assignment": {"column": "Agent email", "by": "email"},
  "locale": "de-DE"
}`

func TestSampleFileIsImportedEndToEnd(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.saveConfig(t, tn, "customers-de", germanCustomers)

	id := st.upload(t, tn, "customers", "customers.csv", readFile(t, "testdata/sample/customers.csv"), "customers-de")
	j := st.waitJob(t, tn, id)

	if j.Status != crm.Succeeded {
		t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	want := crm.Counts{Rows: 12, Created: 12}
	if j.Counts != want {
		t.Errorf("job counts = %+v, want %+v", j.Counts, want)
	}
	if j.Done != 12 || j.Total != 12 || j.Users != 1 {
		t.Errorf("job progress = %d/%d rows for %d users, want 12/12 for 1", j.Done, j.Total, j.Users)
	}
	if j.CreatedAt.IsZero() || j.FinishedAt.Before(j.CreatedAt) {
		t.Errorf("job timestamps created %v finished %v, want both set in order", j.CreatedAt, j.FinishedAt)
	}

	recs := st.records(t, tn, anna.ID)
	if len(recs) != 12 {
		t.Fatalf("records of %s = %d, want one per row (12)", anna.ID, len(recs))
	}
	byNumber := byField(recs, "customer_number")
	checks := []struct{ number, field, want string }{
		{"C-1001", "name", "Müller GmbH"},
		{"C-1001", "revenue", "1234.5"},
		{"C-1001", "last_visit", "2026-03-12"},
		{"C-1002", "postcode", "00184"},
		{"C-1002", "phone", "+39061234567"},
		{"C-1012", "city", "Zürich"},
	}
	for _, c := range checks {
		r, ok := byNumber[c.number]
		if !ok {
			t.Errorf("no record with customer_number %s", c.number)
			continue
		}
		if got := r.Fields[c.field]; got != c.want {
			t.Errorf("record %s field %s = %q, want %q", c.number, c.field, got, c.want)
		}
		if r.ImportID != id || r.Version != 1 || r.Entity != "customers" {
			t.Errorf("record %s = import %q version %d entity %q, want %s, 1, customers", c.number, r.ImportID, r.Version, r.Entity, id)
		}
	}

	exec := st.execution(t, id)
	if exec.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("execution %s status = %s, want SUCCEEDED", id, exec.Status)
	}
}

func TestRepeatedS3EventStartsOneImport(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.saveConfig(t, tn, "customers-de", germanCustomers)
	id := st.upload(t, tn, "customers", "again.csv", readFile(t, "testdata/sample/customers.csv"), "customers-de")
	first := st.waitJob(t, tn, id)
	if first.Status != crm.Succeeded {
		t.Fatalf("first import status = %s (%s), want SUCCEEDED", first.Status, first.Reason)
	}

	// S3 delivers at least once: send the same notification twice more, as
	// S3 would, and wait until the trigger has drained the queue.
	key := crm.IncomingPrefix + tn + "/customers/again.csv"
	head, err := st.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	event := s3Event(st.bucket, key, aws.ToString(head.ETag), aws.ToInt64(head.ContentLength))
	queue := st.cloud.Output(t, "INTAKE_QUEUE_URL")
	q := sqs.NewFromConfig(st.cloud.AWS)
	for range 2 {
		if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: &event}); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	waitDrained(t, q, queue)

	if n := st.executionsNamed(t, id); n != 1 {
		t.Errorf("executions named %s = %d, want 1", id, n)
	}
	again, err := st.jobs.Get(context.Background(), tn, id)
	if err != nil {
		t.Fatal(err)
	}
	if !again.CreatedAt.Equal(first.CreatedAt) || again.Counts != first.Counts || again.Status != crm.Succeeded {
		t.Errorf("job after repeated events = %+v, want unchanged %+v", again, first)
	}
	if n := len(st.records(t, tn, anna.ID)); n != 12 {
		t.Errorf("records after repeated events = %d, want 12", n)
	}
}

func TestRefusedImportsEndFailedWithTheReason(t *testing.T) {
	tests := []struct {
		name       string
		entity     string // "" = customers
		file       string
		config     string
		profile    *crm.Profile
		users      []crm.User
		wantReason string
	}{
		{
			name:       "header only",
			file:       "Name,Email\n",
			wantReason: "no data rows",
		},
		{
			name:       "binary data named csv",
			file:       "\x00\x01\x02\x03\xff\xfe\x00PK\x03\x04garbage\x00\x00",
			wantReason: "binary data",
		},
		{
			name:       "no row names a user of the CRM",
			file:       "Customer number,Name,Agent email\nC-1,Alpha,nobody@else.example\nC-2,Beta,nobody@else.example\n",
			config:     germanCustomers,
			wantReason: `"nobody@else.example" (2 rows)`,
		},
		{
			name:       "over the tenant's row limit",
			file:       "Customer number,Name,Agent email\nC-1,A,anna.berg@demo.example\nC-2,B,anna.berg@demo.example\nC-3,C,anna.berg@demo.example\n",
			config:     germanCustomers,
			profile:    &crm.Profile{MaxRows: 2},
			wantReason: "the file has 3 rows; one import may hold at most 2 rows",
		},
		{
			name:       "over the tenant's user limit",
			file:       "Customer number,Name,Agent email\nC-1,A,anna.berg@demo.example\nC-2,B,bo@demo.example\n",
			config:     germanCustomers,
			profile:    &crm.Profile{MaxUsers: 1},
			users:      []crm.User{{ID: "u-bo", Email: "bo@demo.example"}},
			wantReason: "assigns rows to 2 users; one import may hold at most 1 users",
		},
		{
			name:       "an entity the CRM does not have",
			entity:     "widgets",
			file:       "Name\nA\n",
			wantReason: `unknown entity "widgets"`,
		},
		{
			name:       "update with deletion and a row that names no user",
			file:       "Customer number,Name,Agent email\nC-1,A,anna.berg@demo.example\nC-2,B,anna@typo.example\n",
			config:     strings.Replace(germanCustomers, `"mode": "update"`, `"mode": "update_delete"`, 1),
			wantReason: `update with deletion would delete their records`,
		},
		{
			name:       "data synced from Salesforce",
			file:       "Customer number,Name\nC-1,A\n",
			profile:    &crm.Profile{SyncedFrom: "Salesforce"},
			wantReason: "synchronised from Salesforce",
		},
	}
	st := newStack(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t)
			st.addUser(t, tn, anna)
			for _, u := range tt.users {
				st.addUser(t, tn, u)
			}
			if tt.profile != nil {
				if err := st.tenants.PutProfile(context.Background(), tn, *tt.profile); err != nil {
					t.Fatal(err)
				}
			}
			cfg := ""
			if tt.config != "" {
				cfg = "cfg"
				st.saveConfig(t, tn, cfg, tt.config)
			}
			entity := tt.entity
			if entity == "" {
				entity = "customers"
			}
			id := st.upload(t, tn, entity, "bad.csv", []byte(tt.file), cfg)
			j := st.waitJob(t, tn, id)
			if j.Status != crm.Failed {
				t.Fatalf("job status = %s, want FAILED", j.Status)
			}
			if j.Reason == "" || !strings.Contains(j.Reason, tt.wantReason) {
				t.Errorf("job reason = %q, want it to contain %q", j.Reason, tt.wantReason)
			}
			if strings.Contains(j.Reason, "internal error") {
				t.Errorf("job reason = %q, want the tenant's reason, not an internal error", j.Reason)
			}
			if n := len(st.records(t, tn, anna.ID)); n != 0 {
				t.Errorf("records written by a refused import = %d, want 0", n)
			}
			if exec := st.execution(t, id); exec.Status != sfntypes.ExecutionStatusFailed {
				t.Errorf("execution status = %s, want FAILED", exec.Status)
			}
		})
	}
}

func TestAgentColumnSplitsRowsWithoutAConfiguration(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	bo := crm.User{ID: "u-bo", Email: "bo@demo.example"}
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	file := "Customer number,Name,Agent email\nC-1,Alpha,Anna.Berg@demo.example\nC-2,Beta,bo@demo.example\nC-3,Gamma,bo@demo.example\nC-4,Delta,nobody@demo.example\n"

	id := st.upload(t, tn, "customers", "agents.csv", []byte(file), "")
	j := st.waitJob(t, tn, id)

	if j.Status != crm.Succeeded {
		t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	if want := (crm.Counts{Rows: 4, Created: 3, Skipped: 1}); j.Counts != want {
		t.Errorf("job counts = %+v, want %+v", j.Counts, want)
	}
	if got := byField(st.records(t, tn, anna.ID), "customer_number"); len(got) != 1 || got["C-1"].Fields["name"] != "Alpha" {
		t.Errorf("anna's records = %v, want C-1 only", got)
	}
	if got := byField(st.records(t, tn, bo.ID), "customer_number"); len(got) != 2 || got["C-3"].Fields["name"] != "Gamma" {
		t.Errorf("bo's records = %v, want C-2 and C-3", got)
	}
	errs := string(st.object(t, j.ErrorFile))
	if !strings.Contains(errs, "5,,nobody@demo.example,") || !strings.Contains(errs, "no user of your CRM") {
		t.Errorf("error file = %q, want row 5 with the unknown agent and why", errs)
	}
}

func (st *stack) execution(t *testing.T, id string) *sfn.DescribeExecutionOutput {
	t.Helper()
	arn := strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	// The job record is closed by the workflow's last task; the execution
	// itself ends a moment later.
	var out *sfn.DescribeExecutionOutput
	for range 50 {
		var err error
		out, err = st.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatalf("DescribeExecution(%s): %v", id, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out
}

func (st *stack) executionsNamed(t *testing.T, name string) int {
	t.Helper()
	p := sfn.NewListExecutionsPaginator(st.sfn, &sfn.ListExecutionsInput{StateMachineArn: &st.smARN})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListExecutions: %v", err)
		}
		for _, e := range page.Executions {
			if aws.ToString(e.Name) == name {
				n++
			}
		}
	}
	return n
}

// s3Event is an S3 ObjectCreated notification as S3 sends it to SQS.
func s3Event(bucket, key, etag string, size int64) string {
	ev := map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
		"eventTime": time.Now().UTC().Format(time.RFC3339), "eventName": "ObjectCreated:Put",
		"s3": map[string]any{
			"bucket": map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": strings.ReplaceAll(key, "/", "%2F"), "size": size, "eTag": strings.Trim(etag, `"`)},
		},
	}}}
	data, _ := json.Marshal(ev)
	return string(data)
}

// waitDrained waits until the queue holds no message, visible or in flight.
func waitDrained(t *testing.T, q *sqs.Client, url string) {
	t.Helper()
	for range 300 {
		out, err := q.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
			QueueUrl:       &url,
			AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"},
		})
		if err != nil {
			t.Fatalf("GetQueueAttributes: %v", err)
		}
		if out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(fmt.Sprintf("queue %s was not drained in 30s", url))
}
