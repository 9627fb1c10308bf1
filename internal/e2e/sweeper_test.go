package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/crmimport/crm-import/internal/cloudtest"
	"github.com/crmimport/crm-import/internal/steps"
)

// The sweeper's tests end jobs the workflow left open: an import whose
// execution is stopped while it runs, and a job the trigger created whose
// workflow never started (its S3 event went to the dead-letter queue). The
// deployed sweeper is invoked through the Lambda API, with the event the
// schedule sends (its deadline set to nothing, and kept to the test's
// tenant, so other tests' imports are not looked at) or the one Step
// Functions sends when an execution is aborted: moto does not emit those
// status change events, nor run schedules. The stopped import holds its
// preview up with a fault rule, which is global (see faults_test.go): that
// test does not run in parallel.

// stoppedFile is a small import; its preview is held up by the edge so
// that the execution is stopped while it runs.
func stoppedFile() []byte {
	var b strings.Builder
	b.WriteString("Customer number,Name,City\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "S-%03d,Firma %d,Wien\n", i, i)
	}
	return []byte(b.String())
}

// holdPreview throttles every DynamoDB call of the preview step. Preview
// then fails as busy and the workflow retries it after 1, 2 and 4 seconds,
// fixed intervals: from the first throttle on, the execution runs for 7
// seconds at least, in which the test stops it.
var holdPreview = cloudtest.Fault{Function: "PreviewFunction", Service: "dynamodb", Times: 100000, Action: cloudtest.Throttle}

func TestStoppedImportEndsFailedWithTheReason(t *testing.T) {
	st := newStack(t)
	hearings := []struct {
		name string
		// hear tells the sweeper of the stopped execution.
		hear func(t *testing.T, tn, id string) steps.SweepReport
	}{
		{"on the schedule's sweep", func(t *testing.T, tn, _ string) steps.SweepReport { return st.sweep(t, tn) }},
		{"on the execution's status change", func(t *testing.T, _, id string) steps.SweepReport { return st.executionChanged(t, id) }},
	}
	for _, h := range hearings {
		t.Run(h.name, func(t *testing.T) {
			tn := newTenant(t)
			st.addUser(t, tn, anna)
			st.saveConfig(t, tn, "cfg", faultConfig)
			st.cloud.InjectFaults(t, holdPreview)
			id := st.upload(t, tn, customers, "stopped.csv", stoppedFile(), "cfg")
			st.waitFaulted(t)

			if rep := st.sweep(t, tn); !slices.Equal(rep.Running, []string{id}) || len(rep.Ended) > 0 {
				t.Errorf("sweep while the import runs = %+v, want it left alone", rep)
			}
			if j := st.job(t, tn, id); j.Status != crm.Applying || j.Users != 1 {
				t.Errorf("job while its preview is held = %s with %d users, want APPLYING with 1", j.Status, j.Users)
			}
			arn := st.executionARN(id)
			if _, err := st.sfn.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: &arn}); err != nil {
				t.Fatalf("StopExecution(%s): %v", id, err)
			}
			if status := st.waitExecutionEnded(t, id); status != sfntypes.ExecutionStatusAborted {
				t.Fatalf("execution after StopExecution = %s, want ABORTED", status)
			}
			st.cloud.ClearFaults(t)
			if j := st.job(t, tn, id); j.Status.Terminal() {
				// A cloud that delivers status change events (AWS,
				// LocalStack) has had the sweeper end it already.
				t.Logf("job ended %s before the test told the sweeper: the cloud delivered the execution's status change", j.Status)
			} else if rep := h.hear(t, tn, id); !slices.Equal(rep.Ended, []string{id}) {
				t.Errorf("sweeper = %+v, want %s ended", rep, id)
			}
			const reason = "the import was stopped before it finished"
			j := st.job(t, tn, id)
			if j.Status != crm.Failed || j.Reason != reason || j.FinishedAt.IsZero() {
				t.Errorf("job = %s %q finished %v, want FAILED %q", j.Status, j.Reason, j.FinishedAt, reason)
			}
			if sum := st.summary(t, tn, id); sum.Status != crm.Failed || sum.Reason != reason {
				t.Errorf("summary = %+v, want FAILED with the reason", sum)
			}
			if rep := st.sweep(t, tn); rep.Open != 0 {
				t.Errorf("sweep after the job ended = %+v, want nothing open", rep)
			}
		})
	}
}

func TestDeadLetteredImportEndsFailedWithTheReason(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	// The job as the trigger creates it before StartExecution, which
	// failed on every delivery of the S3 event until SQS moved it to the
	// dead-letter queue: no execution.
	key := crm.IncomingPrefix + tn + "/" + customers + "/lost.csv"
	id := crm.ImportID(st.bucket, key, "3HL4kqtJvjVBH40Nrjfkd.9XH6yYbJtO", "a13f07aea6c080c5bfcb6f748ba377b5")
	created, err := st.jobs.Create(context.Background(), crm.Job{Tenant: tn, ID: id, Entity: customers, Bucket: st.bucket, Key: key, Status: crm.Received})
	if err != nil || !created {
		t.Fatalf("Create(%s) = %v, %v, want a new job", id, created, err)
	}

	// Within the deadline its event may still be delivered again.
	if rep := st.sweepOlderThan(t, tn, nil); rep.Open != 0 {
		t.Errorf("sweep with the stack's deadline = %+v, want a job this young not looked at", rep)
	}
	st.cloud.ResetFunctionStats(t, "SweeperFunction")
	if rep := st.sweep(t, tn); !slices.Equal(rep.Ended, []string{id}) {
		t.Errorf("sweep = %+v, want %s ended", rep, id)
	}
	// For the record: one index Query, a GetItem per job open in the
	// stack (other tests' too), then for this one DescribeExecution, the
	// before-images' Query, UpdateItem, PutObject and PutEvents.
	t.Logf("the sweep that ended the job asked: %s", st.cloud.FunctionStats(t, "SweeperFunction"))
	const reason = "the import could not be started; please upload the file again"
	if j := st.job(t, tn, id); j.Status != crm.Failed || j.Reason != reason {
		t.Errorf("job = %s %q, want FAILED %q", j.Status, j.Reason, reason)
	}
	if sum := st.summary(t, tn, id); sum.Status != crm.Failed || sum.Reason != reason {
		t.Errorf("summary = %+v, want FAILED with the reason", sum)
	}
	if sum := st.waitImportEvent(t, crm.ImportFailed, id); sum.Reason != reason {
		t.Errorf("ImportFailed event = %+v, want the reason", sum)
	}
}

// waitImportEvent waits for the import's event of detailType on the
// stack's events queue (the ImportEventsRule's target) and returns its
// detail. Other imports' events stay in the queue, set aside for a minute
// as they are read: moto answers the oldest first, so with more than ten of
// them visible again at once the one waited for would never be read.
func (st *stack) waitImportEvent(t *testing.T, detailType, id string) crm.Summary {
	t.Helper()
	queue := st.cloud.Output(t, "IMPORT_EVENTS_QUEUE_URL")
	client := sqs.NewFromConfig(st.cloud.AWS)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: &queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60,
		})
		if err != nil {
			t.Fatalf("ReceiveMessage(%s): %v", queue, err)
		}
		for _, m := range out.Messages {
			var ev struct {
				DetailType string      `json:"detail-type"`
				Detail     crm.Summary `json:"detail"`
			}
			if json.Unmarshal([]byte(aws.ToString(m.Body)), &ev) != nil || ev.DetailType != detailType || ev.Detail.ImportID != id {
				continue
			}
			client.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &queue, ReceiptHandle: m.ReceiptHandle})
			return ev.Detail
		}
	}
	t.Fatalf("no %s event of %s on the events queue within 30s", detailType, id)
	return crm.Summary{}
}

// sweep invokes the deployed sweeper as the schedule does, on the tenant's
// jobs whatever their age.
func (st *stack) sweep(t *testing.T, tn string) steps.SweepReport {
	t.Helper()
	zero := 0
	return st.sweepOlderThan(t, tn, &zero)
}

// sweepOlderThan sweeps the tenant's jobs older than seconds (nil: the
// stack's StuckJobMinutes).
func (st *stack) sweepOlderThan(t *testing.T, tn string, seconds *int) steps.SweepReport {
	t.Helper()
	detail, err := json.Marshal(steps.SweepRequest{OlderThanSeconds: seconds, Tenant: tn})
	if err != nil {
		t.Fatal(err)
	}
	return st.invokeSweeper(t, map[string]any{
		"version": "0", "detail-type": steps.ScheduledEvent, "source": "aws.events",
		"time": time.Now().UTC().Format(time.RFC3339), "detail": json.RawMessage(detail),
	})
}

// executionChanged invokes the deployed sweeper with the event Step
// Functions sends when the import's execution has ended, built from the
// execution as DescribeExecution reads it.
func (st *stack) executionChanged(t *testing.T, id string) steps.SweepReport {
	t.Helper()
	arn := st.executionARN(id)
	exec, err := st.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	if err != nil {
		t.Fatalf("DescribeExecution(%s): %v", id, err)
	}
	return st.invokeSweeper(t, map[string]any{
		"version": "0", "detail-type": steps.ExecutionStatusChange, "source": "aws.states",
		"time": time.Now().UTC().Format(time.RFC3339), "resources": []string{arn},
		"detail": map[string]any{
			"executionArn": arn, "stateMachineArn": st.smARN, "name": id, "status": exec.Status,
			"startDate": exec.StartDate.UnixMilli(), "stopDate": aws.ToTime(exec.StopDate).UnixMilli(),
			"input": exec.Input, "inputDetails": map[string]bool{"included": true},
			"output": nil, "outputDetails": nil, "error": exec.Error, "cause": exec.Cause,
		},
	})
}

func (st *stack) invokeSweeper(t *testing.T, event any) steps.SweepReport {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	fn := st.cloud.Output(t, "SWEEPER_FUNCTION")
	out, err := lambda.NewFromConfig(st.cloud.AWS).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
	if err != nil {
		t.Fatalf("Invoke(%s): %v", fn, err)
	}
	if out.FunctionError != nil {
		t.Fatalf("Invoke(%s) = %s: %s", fn, aws.ToString(out.FunctionError), out.Payload)
	}
	var rep steps.SweepReport
	if err := json.Unmarshal(out.Payload, &rep); err != nil {
		t.Fatalf("sweeper answered %s: %v", out.Payload, err)
	}
	return rep
}

// waitFaulted waits until the edge has faulted a request of the rules set.
func (st *stack) waitFaulted(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, r := range st.cloud.Faults(t) {
			if r.Injected > 0 {
				return
			}
		}
	}
	t.Fatalf("no fault injected within 90s: the import did not reach the faulted step")
}

// waitExecutionEnded waits until the import's execution has left RUNNING
// and returns its status. In moto a stop lands once the task in flight
// returns (here, once the preview's own retries of DynamoDB give up).
func (st *stack) waitExecutionEnded(t *testing.T, id string) sfntypes.ExecutionStatus {
	t.Helper()
	arn := st.executionARN(id)
	var status sfntypes.ExecutionStatus
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, err := st.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		if err != nil {
			t.Fatalf("DescribeExecution(%s): %v", id, err)
		}
		if status = out.Status; status != sfntypes.ExecutionStatusRunning {
			return status
		}
	}
	t.Fatalf("execution %s still %s after 60s", id, status)
	return status
}

func (st *stack) executionARN(id string) string {
	return strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
}

func (st *stack) job(t *testing.T, tn, id string) crm.Job {
	t.Helper()
	j, err := st.jobs.Get(context.Background(), tn, id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return j
}

// summary reads the closing summary of an import from its work files.
func (st *stack) summary(t *testing.T, tn, id string) crm.Summary {
	t.Helper()
	key := crm.Work{Tenant: tn, ImportID: id}.Summary()
	out, err := st.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject(%s): %v", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	var sum crm.Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatalf("summary %s: %v", data, err)
	}
	return sum
}
