package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

func TestTriggerStartsOneImportPerObject(t *testing.T) {
	const event = `{"Records":[{"eventTime":"2026-11-21T19:47:51.784794","s3":{"bucket":{"name":"uploads"},"object":{"key":"incoming%2Facme%2Fcustomers%2Fmy+file.csv","size":10,"eTag":"abc"}}}]}`
	tests := []struct {
		name         string
		body         string
		startErr     error
		wantStarts   []string // keys started
		wantFailures int
	}{
		{"an upload starts an import with its key decoded", event, nil, []string{"incoming/acme/customers/my file.csv"}, 0},
		{"S3's test event starts nothing", `{"Service":"Amazon S3","Event":"s3:TestEvent"}`, nil, nil, 0},
		{"a message that is not JSON is dropped, not redelivered forever", `not json`, nil, nil, 0},
		{"an object outside the tenants' layout starts nothing", `{"Records":[{"s3":{"bucket":{"name":"uploads"},"object":{"key":"stray.csv"}}}]}`, nil, nil, 0},
		{"an event of another bucket starts nothing", `{"Records":[{"s3":{"bucket":{"name":"elsewhere"},"object":{"key":"incoming%2Facme%2Fcustomers%2Fx.csv"}}}]}`, nil, nil, 0},
		{"a failed start is returned for redelivery", event, errors.New("throttled"), []string{"incoming/acme/customers/my file.csv"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.startErr != nil {
				f.workflow.FailCall("Start", 1, tt.startErr)
			}
			resp, err := f.trigger().Handle(context.Background(), sqsBatch(tt.body))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			var starts []string
			for _, st := range f.workflow.Starts() {
				s := startedState(t, st.Input)
				starts = append(starts, s.Key)
				if st.Name != s.ImportID {
					t.Errorf("execution name %q, want the import id %q", st.Name, s.ImportID)
				}
				if j, err := f.jobs.Get(context.Background(), s.Tenant, s.ImportID); err != nil || j.Tenant != "acme" || j.Entity != "customers" || j.Status != crm.Received {
					t.Errorf("Get(%s) = %+v, %v, want tenant acme, entity customers, RECEIVED", s.ImportID, j, err)
				}
			}
			if len(starts) != len(tt.wantStarts) || (len(starts) > 0 && starts[0] != tt.wantStarts[0]) {
				t.Errorf("started %q, want %q", starts, tt.wantStarts)
			}
			if len(resp.BatchItemFailures) != tt.wantFailures {
				t.Errorf("batch item failures = %v, want %d", resp.BatchItemFailures, tt.wantFailures)
			}
			if len(starts) == 1 {
				id := crm.ImportID("uploads", "incoming/acme/customers/my file.csv", "", "abc")
				if _, err := f.jobs.Get(context.Background(), "acme", id); err != nil {
					t.Errorf("job of the object version %s: %v, want it created", id, err)
				}
			}
		})
	}
}

func TestTriggerStartsOneImportPerObjectVersion(t *testing.T) {
	const key = "incoming/acme/customers/march.csv"
	etags := map[string]string{"v1": "e1", "v2": "e2"} // by version
	v1, v2 := s3Event(uploadsName, key, "v1", etags["v1"]), s3Event(uploadsName, key, "v2", etags["v2"])
	busy := crm.Errorf(crm.Unavailable, "step functions is busy")
	tests := []struct {
		name         string
		bodies       []string // one message each, m1, m2...
		fail         func(*fixture)
		wantVersions []string // the versions whose import started
		wantFailures []string // message ids
	}{
		{"the same event twice starts one import", []string{v1, v1}, nil, []string{"v1"}, nil},
		{"two versions of one key are two imports", []string{v1, v2}, nil, []string{"v1", "v2"}, nil},
		{"a failed start is redelivered and the rest of the batch goes on", []string{v1, v2}, func(f *fixture) { f.workflow.FailCall("Start", 1, busy) }, []string{"v2"}, []string{"m1"}},
		{"a failed job store is redelivered before anything starts", []string{v1}, func(f *fixture) { f.jobs.FailCall("Create", 1, busy) }, nil, []string{"m1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.fail != nil {
				tt.fail(f)
			}
			resp, err := f.trigger().Handle(context.Background(), sqsBatch(tt.bodies...))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			var got, want []string
			for _, e := range f.workflow.Executions() {
				got = append(got, e.Name)
			}
			for _, v := range tt.wantVersions {
				want = append(want, crm.ImportID(uploadsName, key, v, etags[v]))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("imports started = %q, want %q (versions %q)", got, want, tt.wantVersions)
			}
			if got := failedMessages(resp); !reflect.DeepEqual(got, tt.wantFailures) {
				t.Errorf("batch item failures = %q, want %q", got, tt.wantFailures)
			}
		})
	}
}

func TestTriggerRedeliveryStartsWhatFailedOnce(t *testing.T) {
	f := newFixture(t)
	f.workflow.FailCall("Start", 1, crm.Errorf(crm.Unavailable, "step functions is busy"))
	batch := sqsBatch(s3Event(uploadsName, "incoming/acme/customers/march.csv", "v1", "e1"))

	for i, wantFailures := range []int{1, 0} {
		resp, err := f.trigger().Handle(context.Background(), batch)
		if err != nil || len(resp.BatchItemFailures) != wantFailures {
			t.Fatalf("delivery %d: Handle() = %v, %v, want %d failures", i+1, resp.BatchItemFailures, err, wantFailures)
		}
	}
	if n := len(f.workflow.Executions()); n != 1 {
		t.Errorf("executions after redelivery = %d, want 1", n)
	}
	if n := f.jobs.Calls("Create"); n != 2 {
		t.Errorf("Create calls = %d, want 2 (the second finds the job)", n)
	}
}

// sqsBatch wraps bodies in SQS messages m1, m2...
func sqsBatch(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprintf("m%d", i+1), Body: b, EventSource: "aws:sqs"})
	}
	return ev
}

// s3Event is the body S3 puts in the queue for an upload, its key
// URL-encoded.
func s3Event(bucket, key, version, etag string) string {
	type object struct {
		Key       string `json:"key"`
		Size      int    `json:"size"`
		ETag      string `json:"eTag"`
		VersionID string `json:"versionId,omitempty"`
	}
	var rec struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
		S3          struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object object `json:"object"`
		} `json:"s3"`
	}
	rec.EventSource, rec.EventName = "aws:s3", "ObjectCreated:Put"
	rec.S3.Bucket.Name = bucket
	rec.S3.Object = object{Key: url.QueryEscape(key), Size: 10, ETag: etag, VersionID: version}
	body, _ := json.Marshal(map[string]any{"Records": []any{rec}})
	return string(body)
}

func failedMessages(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// startedState decodes an execution's input.
func startedState(t *testing.T, input []byte) State {
	t.Helper()
	var s State
	if err := json.Unmarshal(input, &s); err != nil {
		t.Fatalf("execution input %s: %v", input, err)
	}
	return s
}

func TestStepErrorReasonTellsTheTenantOnlyWhatIsMeantForThem(t *testing.T) {
	tests := []struct {
		name string
		err  StepError
		want string
	}{
		{"a wait given up says for whom", StepError{Error: "BusyError", Cause: `{"errorType":"BusyError","errorMessage":"waiting for import imp-1, which is importing the customers of user anna"}`},
			"the import waited too long and was stopped (waiting for import imp-1, which is importing the customers of user anna): upload the file again once the other import has ended"},
		{"a refusal gives its message", StepError{Error: "RefusedError", Cause: `{"errorType":"RefusedError","errorMessage":"the file has 3 rows; one import may hold at most 2 rows"}`}, "the file has 3 rows; one import may hold at most 2 rows"},
		{"a timeout says so", StepError{Error: "States.Timeout"}, "the import took too long and was stopped"},
		{"anything else leaks nothing", StepError{Error: "errorString", Cause: `{"errorType":"errorString","errorMessage":"dial tcp 10.1.2.3:443: i/o timeout"}`}, "internal error: the import could not be completed; support has the details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Reason(); got != tt.want {
				t.Errorf("Reason() = %q, want %q", got, tt.want)
			}
		})
	}
}
