package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

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
