package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/crmimport/crm-import/internal/cloudtest"
)

func TestMain(m *testing.M) { cloudtest.Main(m) }

// waiting is a workflow that waits long enough to be stopped while it runs.
const waiting = `{"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 300, "End": true}}}`

// newStateMachine creates a state machine of the test's own in the local
// cloud, deleted when the test ends.
func newStateMachine(t *testing.T) (*sfn.Client, string) {
	t.Helper()
	cloud := cloudtest.Env(t)
	client := sfn.NewFromConfig(cloud.AWS)
	b := make([]byte, 4)
	rand.Read(b)
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name:       aws.String("workflow-test-" + hex.EncodeToString(b)),
		Definition: aws.String(waiting),
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/workflow-test"),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	t.Cleanup(func() {
		client.DeleteStateMachine(context.Background(), &sfn.DeleteStateMachineInput{StateMachineArn: out.StateMachineArn})
	})
	return client, aws.ToString(out.StateMachineArn)
}

func TestStatusFollowsAnExecutionFromStartToStop(t *testing.T) {
	ctx := context.Background()
	client, arn := newStateMachine(t)
	m := New(client, arn)
	const name = "imp-0123456789abcdef0123456789"

	if got, err := m.Status(ctx, name); crm.KindOf(err) != crm.NotFound {
		t.Fatalf("Status(never started) = %q, %v, want not found", got, err)
	}
	started, err := m.Start(ctx, name, map[string]string{"importId": name})
	if err != nil || !started {
		t.Fatalf("Start(%s) = %v, %v, want true", name, started, err)
	}
	if started, err := m.Start(ctx, name, map[string]string{"importId": name, "again": "yes"}); err != nil || started {
		t.Errorf("Start(%s) again = %v, %v, want false: one execution per name", name, started, err)
	}
	if got, err := m.Status(ctx, name); err != nil || got != crm.ExecutionRunning {
		t.Fatalf("Status(waiting) = %q, %v, want RUNNING", got, err)
	}
	if _, err := client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(m.executionARN(name))}); err != nil {
		t.Fatalf("StopExecution(%s): %v", m.executionARN(name), err)
	}
	// The stop lands as the interpreter next looks at the execution.
	got, err := m.Status(ctx, name)
	for deadline := time.Now().Add(30 * time.Second); err == nil && got == crm.ExecutionRunning && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		got, err = m.Status(ctx, name)
	}
	if err != nil || got != crm.ExecutionAborted {
		t.Errorf("Status(stopped) = %q, %v, want ABORTED", got, err)
	}
}

// tokenMachine is a workflow whose one task waits for a task token, sent
// to queue, for timeout seconds; a timeout goes on to a long wait, so the
// execution still runs after its task has closed.
func tokenMachine(t *testing.T, client *sfn.Client, queue string, timeout int) string {
	t.Helper()
	def := fmt.Sprintf(`{"StartAt": "Ask", "States": {
	  "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
	    "Parameters": {"QueueUrl": %q, "MessageBody": {"token.$": "$$.Task.Token"}},
	    "TimeoutSeconds": %d, "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Linger"}], "Next": "Linger"},
	  "Linger": {"Type": "Wait", "Seconds": 300, "End": true}}}`, queue, timeout)
	b := make([]byte, 4)
	rand.Read(b)
	out, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name:       aws.String("workflow-token-" + hex.EncodeToString(b)),
		Definition: &def,
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/workflow-test"),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	t.Cleanup(func() {
		client.DeleteStateMachine(context.Background(), &sfn.DeleteStateMachineInput{StateMachineArn: out.StateMachineArn})
	})
	return aws.ToString(out.StateMachineArn)
}

// askedToken starts the workflow and reads the task token it sends; it
// returns the token and the execution's name.
func askedToken(t *testing.T, m *StateMachine, q *sqs.Client, queue string) (string, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 4)
	rand.Read(b)
	name := "imp-token-" + hex.EncodeToString(b)
	if _, err := m.Start(ctx, name, map[string]string{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, msg := range out.Messages {
			var body struct{ Token string }
			if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &body); err == nil && body.Token != "" {
				return body.Token, name
			}
		}
	}
	t.Fatalf("the workflow sent no task token")
	return "", ""
}

// TestSendTaskSuccessAnswersATaskOnce: a wait is answered once; a second
// answer, or one after the wait timed out, is a Conflict saying so, as
// Step Functions answers TaskTimedOut (moto_server.py makes moto do so).
func TestSendTaskSuccessAnswersATaskOnce(t *testing.T) {
	ctx := context.Background()
	cloud := cloudtest.Env(t)
	client := sfn.NewFromConfig(cloud.AWS)
	q := sqs.NewFromConfig(cloud.AWS)
	b := make([]byte, 4)
	rand.Read(b)
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("workflow-token-" + hex.EncodeToString(b))})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	queue := aws.ToString(created.QueueUrl)
	t.Cleanup(func() { q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &queue}) })

	t.Run("answered twice", func(t *testing.T) {
		m := New(client, tokenMachine(t, client, queue, 300))
		token, _ := askedToken(t, m, q, queue)
		if err := m.SendTaskSuccess(ctx, token, map[string]string{"decision": "import"}); err != nil {
			t.Fatalf("SendTaskSuccess(first) = %v, want nil", err)
		}
		err := m.SendTaskSuccess(ctx, token, map[string]string{"decision": "skip"})
		if crm.KindOf(err) != crm.Conflict || !strings.Contains(crm.Message(err), crm.WaitEnded) {
			t.Errorf("SendTaskSuccess(second) = %v, want a Conflict saying %q", err, crm.WaitEnded)
		}
	})
	t.Run("answered after the timeout", func(t *testing.T) {
		m := New(client, tokenMachine(t, client, queue, 1))
		token, name := askedToken(t, m, q, queue)
		timedOut := func() bool {
			out, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(m.executionARN(name))})
			if err != nil {
				t.Fatalf("GetExecutionHistory: %v", err)
			}
			for _, e := range out.Events {
				if e.Type == sfntypes.HistoryEventTypeTaskTimedOut {
					return true
				}
			}
			return false
		}
		for deadline := time.Now().Add(30 * time.Second); !timedOut() && time.Now().Before(deadline); {
			time.Sleep(200 * time.Millisecond)
		}
		if err := m.SendTaskSuccess(ctx, token, map[string]string{}); crm.KindOf(err) != crm.Conflict {
			t.Errorf("SendTaskSuccess(after the timeout) = %v, want a Conflict", err)
		}
	})
	t.Run("a token never given", func(t *testing.T) {
		m := New(client, tokenMachine(t, client, queue, 300))
		if err := m.SendTaskSuccess(ctx, "not-a-token", map[string]string{}); crm.KindOf(err) != crm.Conflict {
			t.Errorf("SendTaskSuccess(unknown token) = %v, want a Conflict", err)
		}
	})
}
