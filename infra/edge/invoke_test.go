package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type echoReply struct {
	Echo     json.RawMessage   `json:"echo"`
	PID      int               `json:"pid"`
	Function string            `json:"function"`
	Env      map[string]string `json:"env"`
}

func invoke(t *testing.T, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := lambda.NewFromConfig(testAWS).Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String(name),
		Payload:      []byte(payload),
	})
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", name, payload, err)
	}
	return out
}

func decodeReply(t *testing.T, out *lambda.InvokeOutput) echoReply {
	t.Helper()
	if out.FunctionError != nil {
		t.Fatalf("FunctionError = %q, payload %s, want none", aws.ToString(out.FunctionError), out.Payload)
	}
	var r echoReply
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("decode %s: %v", out.Payload, err)
	}
	return r
}

func TestInvokeRunsTheDeployedBootstrapWithItsEnvironment(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 5, map[string]string{"GREETING": "bonjour", "TABLE": "t1"})

	r := decodeReply(t, invoke(t, name, `{"echo":{"n":1}}`))

	want := map[string]string{
		"GREETING":                 "bonjour",
		"TABLE":                    "t1",
		"AWS_ENDPOINT_URL":         testURL,
		"AWS_REGION":               "us-east-1",
		"AWS_LAMBDA_FUNCTION_NAME": name,
	}
	for k, v := range want {
		if r.Env[k] != v {
			t.Errorf("function env %s = %q, want %q", k, r.Env[k], v)
		}
	}
	if string(r.Echo) != `{"n":1}` {
		t.Errorf("echo = %s, want {\"n\":1}", r.Echo)
	}
	if r.Function != name {
		t.Errorf("lambdacontext.FunctionName = %q, want %q", r.Function, name)
	}

	again := decodeReply(t, invoke(t, name, `{}`))
	if again.PID != r.PID {
		t.Errorf("second invoke ran in pid %d, want the warm process %d", again.PID, r.PID)
	}
}

func TestInvokeErrorsAnswerFunctionErrorWithTheErrorType(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 5, nil)
	tests := []struct {
		name     string
		payload  string
		wantType string
	}{
		{"named error type", `{"fail":"RetryableError"}`, "RetryableError"},
		{"wrapped error", `{"fail":"boom"}`, "errorString"},
		{"process exits", `{"exit":3}`, "Runtime.ExitError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := invoke(t, name, tt.payload)
			if got := aws.ToString(out.FunctionError); got != "Unhandled" {
				t.Errorf("FunctionError = %q, want Unhandled", got)
			}
			var body struct {
				ErrorType    string `json:"errorType"`
				ErrorMessage string `json:"errorMessage"`
			}
			if err := json.Unmarshal(out.Payload, &body); err != nil {
				t.Fatalf("decode %s: %v", out.Payload, err)
			}
			if body.ErrorType != tt.wantType || body.ErrorMessage == "" {
				t.Errorf("error payload = %s, want errorType %q and a message", out.Payload, tt.wantType)
			}
		})
	}
	// The function still answers after its process died.
	decodeReply(t, invoke(t, name, `{}`))
}

func TestInvokeTimeoutKillsTheProcess(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 1, nil)
	before := decodeReply(t, invoke(t, name, `{}`))

	out := invoke(t, name, `{"sleepMs":5000}`)

	if !strings.Contains(string(out.Payload), `"errorType":"Sandbox.Timedout"`) || aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("Invoke(sleep past timeout) = %s (FunctionError %q), want a Sandbox.Timedout error", out.Payload, aws.ToString(out.FunctionError))
	}
	after := decodeReply(t, invoke(t, name, `{}`))
	if after.PID == before.PID {
		t.Errorf("after a timeout the function ran in pid %d again, want a fresh process", after.PID)
	}
	if processAlive(before.PID) {
		t.Errorf("process %d still runs after its invocation timed out", before.PID)
	}
}

func TestConcurrentInvokesRunInSeparateProcesses(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 10, nil)
	const n = 4
	// Each invocation waits at a barrier until all have started, which
	// only works if they run in separate processes at the same time.
	barrier := fmt.Sprintf(`{"barrier":%q,"parties":%d}`, t.TempDir(), n)
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pids[i] = decodeReply(t, invoke(t, name, barrier)).PID
		}()
	}
	wg.Wait()
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != n {
		t.Errorf("%d concurrent invokes ran in %d processes (%v), want %d", n, len(distinct), pids, n)
	}
	if got := testEdge.functions.processes()[name]; got != n {
		t.Errorf("warm processes of %s = %d, want %d", name, got, n)
	}
}

func TestInvokeUnknownFunctionIsResourceNotFound(t *testing.T) {
	needCloud(t)
	_, err := lambda.NewFromConfig(testAWS).Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String("no-such-function"),
		Payload:      []byte(`{}`),
	})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("Invoke(no-such-function) error = %v, want ResourceNotFoundException", err)
	}
}

func TestInvokeByARNAndAsync(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 5, nil)
	arn := "arn:aws:lambda:us-east-1:123456789012:function:" + name
	decodeReply(t, invoke(t, arn, `{}`))

	out, err := lambda.NewFromConfig(testAWS).Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName:   aws.String(name),
		InvocationType: lambdatypes.InvocationTypeEvent,
		Payload:        []byte(`{}`),
	})
	if err != nil || out.StatusCode != 202 {
		t.Errorf("Invoke(Event) = %v, %v; want status 202", out, err)
	}
}

func TestIdleProcessesAreStopped(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 5, nil)
	pid := decodeReply(t, invoke(t, name, `{}`)).PID

	testEdge.functions.reapIdle(time.Hour)
	if !processAlive(pid) {
		t.Fatalf("process %d was stopped though idle for less than the limit", pid)
	}
	testEdge.functions.reapIdle(0)
	if processAlive(pid) {
		t.Errorf("process %d still runs after reaping processes idle longer than 0", pid)
	}
	if again := decodeReply(t, invoke(t, name, `{}`)).PID; again == pid {
		t.Errorf("invoke after reaping ran in pid %d, want a new process", again)
	}
}
