package cloudtest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The test stack's state machine (infra/testdata/statemachine/echo.asl.json)
// maps the echo function over its items, retrying RetryableError once and
// catching every error.
func TestDeployedStateMachineRunsFunctionsWithRetryAndCatch(t *testing.T) {
	cloud := Env(t)
	ctx := context.Background()
	client := sfn.NewFromConfig(cloud.AWS)
	arn := cloud.Output(t, "STATE_MACHINE_ARN")

	def, err := client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeStateMachine: %v", err)
	}
	if d := aws.ToString(def.Definition); strings.Contains(d, "${") || !strings.Contains(d, `"$$.Execution.Name"`) {
		t.Errorf("definition = %s, want every ${...} substituted and $$.Execution.Name intact", d)
	}

	start, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(arn),
		Name:            aws.String("retry-and-catch"),
		Input:           aws.String(`{"items":[{"echo":1},{"fail":"RetryableError"},{"fail":"Boom"}]}`),
	})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	var out *sfn.DescribeExecutionOutput
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			t.Fatalf("DescribeExecution: %v", err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution status = %s (%s: %s), want SUCCEEDED", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	var results []struct {
		PID       int    `json:"pid"`
		Greeting  string `json:"greeting"`
		Execution string `json:"execution"`
		Error     *struct {
			Error string `json:"Error"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Output)), &results); err != nil || len(results) != 3 {
		t.Fatalf("execution output = %s, want 3 results (%v)", aws.ToString(out.Output), err)
	}
	if r := results[0]; r.PID == 0 || r.Greeting != "hello" || r.Execution != "retry-and-catch" || r.Error != nil {
		t.Errorf("result of a succeeding item = %+v, want a pid, greeting hello (a substitution), execution retry-and-catch", r)
	}
	for i, want := range map[int]string{1: "RetryableError", 2: "errorString"} {
		if r := results[i]; r.Error == nil || r.Error.Error != want {
			t.Errorf("caught error of item %d = %+v, want %s", i, r.Error, want)
		}
	}

	// The retried item ran twice: 4 Lambda tasks in all.
	history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 1000})
	if err != nil {
		t.Fatalf("GetExecutionHistory: %v", err)
	}
	scheduled := 0
	for _, ev := range history.Events {
		if ev.Type == sfntypes.HistoryEventTypeTaskScheduled || ev.Type == sfntypes.HistoryEventTypeLambdaFunctionScheduled {
			scheduled++
		}
	}
	if scheduled != 4 {
		t.Errorf("lambda tasks scheduled = %d, want 4 (3 items, one retried)", scheduled)
	}
}
