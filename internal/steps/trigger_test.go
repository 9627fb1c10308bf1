package steps

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

// jobsFunc and starterFunc are hand-written fakes made of function fields.
type jobsFunc func(crm.Job) (bool, error)

func (f jobsFunc) Create(_ context.Context, j crm.Job) (bool, error)  { return f(j) }
func (jobsFunc) Get(context.Context, string, string) (crm.Job, error) { return crm.Job{}, nil }
func (jobsFunc) Update(context.Context, string, string, crm.JobChange) error {
	return nil
}
func (jobsFunc) SetProgress(context.Context, string, string, string, int) error { return nil }
func (jobsFunc) SetDeletes(context.Context, string, string, string, int) error  { return nil }

type starterFunc func(name string, input any) (bool, error)

func (f starterFunc) Start(_ context.Context, name string, input any) (bool, error) {
	return f(name, input)
}

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
			var starts []string
			var ids []string
			trig := &Trigger{
				Bucket: "uploads",
				Jobs: jobsFunc(func(j crm.Job) (bool, error) {
					ids = append(ids, j.ID)
					if j.Tenant != "acme" || j.Entity != "customers" || j.Status != crm.Received {
						t.Errorf("Create(%+v), want tenant acme, entity customers, RECEIVED", j)
					}
					return true, nil
				}),
				Workflow: starterFunc(func(name string, input any) (bool, error) {
					s := input.(State)
					starts = append(starts, s.Key)
					if name != s.ImportID {
						t.Errorf("execution name %q, want the import id %q", name, s.ImportID)
					}
					return tt.startErr == nil, tt.startErr
				}),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			}
			resp, err := trig.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: tt.body}}})
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if len(starts) != len(tt.wantStarts) || (len(starts) > 0 && starts[0] != tt.wantStarts[0]) {
				t.Errorf("started %q, want %q", starts, tt.wantStarts)
			}
			if len(resp.BatchItemFailures) != tt.wantFailures {
				t.Errorf("batch item failures = %v, want %d", resp.BatchItemFailures, tt.wantFailures)
			}
			if len(ids) == 1 && ids[0] != crm.ImportID("uploads", "incoming/acme/customers/my file.csv", "", "abc") {
				t.Errorf("job id %s, want the id of the object version", ids[0])
			}
		})
	}
}

func TestStepErrorReasonTellsTheTenantOnlyWhatIsMeantForThem(t *testing.T) {
	tests := []struct {
		name string
		err  StepError
		want string
	}{
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
