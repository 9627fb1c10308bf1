// Command echo is the local cloud's test function: a tiny provided.al2023
// bootstrap whose behaviour the event chooses, so the edge's tests can
// exercise answers, errors, timeouts, crashes and SQS batches.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// request is the direct-invoke event.
type request struct {
	Echo    json.RawMessage `json:"echo,omitempty"`
	Fail    string          `json:"fail,omitempty"`    // error type to return
	SleepMS int             `json:"sleepMs,omitempty"` // sleep before answering
	Exit    int             `json:"exit,omitempty"`    // exit the process with this code
	// Barrier and Parties make invocations wait for each other: each
	// writes its pid into the Barrier directory and answers once Parties
	// pids are there, or fails after a few seconds.
	Barrier string `json:"barrier,omitempty"`
	Parties int    `json:"parties,omitempty"`
}

// RetryableError is a named error type, as the workflow's Retry matches it.
type RetryableError struct{ Msg string }

func (e RetryableError) Error() string { return e.Msg }

type reply struct {
	Echo     json.RawMessage   `json:"echo,omitempty"`
	PID      int               `json:"pid"`
	Function string            `json:"function"`
	Env      map[string]string `json:"env"`
}

// started proves warm reuse: a process keeps it across invocations.
var started = time.Now()

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records []json.RawMessage `json:"Records"`
	}
	if json.Unmarshal(raw, &probe) == nil && len(probe.Records) > 0 {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return handleSQS(ctx, ev)
	}
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, fmt.Errorf("decode request: %w", err)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	slog.Info("invoked", "requestId", lc.AwsRequestID, "sleepMs", req.SleepMS)
	if req.SleepMS > 0 {
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
	}
	if req.Barrier != "" {
		if err := await(req.Barrier, req.Parties); err != nil {
			return nil, err
		}
	}
	if req.Exit != 0 {
		os.Exit(req.Exit)
	}
	switch req.Fail {
	case "":
	case "RetryableError":
		return nil, RetryableError{Msg: "try again later"}
	default:
		return nil, fmt.Errorf("asked to fail: %s", req.Fail)
	}
	env := map[string]string{}
	for _, k := range []string{"TABLE", "GREETING", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME"} {
		env[k] = os.Getenv(k)
	}
	return reply{Echo: req.Echo, PID: os.Getpid(), Function: lambdacontext.FunctionName, Env: env}, nil
}

// handleSQS stores each message body as an item of $TABLE (proving the
// function reaches the local cloud through AWS_ENDPOINT_URL) and reports
// bodies starting with "fail" as batch item failures.
func handleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return resp, fmt.Errorf("aws config: %w", err)
	}
	db := dynamodb.NewFromConfig(cfg)
	for _, rec := range ev.Records {
		if strings.HasPrefix(rec.Body, "fail") {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(os.Getenv("TABLE")),
			Item: map[string]ddbtypes.AttributeValue{
				"pk":      &ddbtypes.AttributeValueMemberS{Value: "MSG#" + rec.MessageId},
				"body":    &ddbtypes.AttributeValueMemberS{Value: rec.Body},
				"receive": &ddbtypes.AttributeValueMemberS{Value: rec.Attributes["ApproximateReceiveCount"]},
			},
		})
		if err != nil {
			return resp, fmt.Errorf("put message %s: %w", rec.MessageId, err)
		}
	}
	slog.Info("sqs batch", "records", len(ev.Records), "failures", len(resp.BatchItemFailures), "uptime", time.Since(started).String())
	return resp, nil
}

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(handle)
}

func await(dir string, parties int) error {
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644); err != nil {
		return fmt.Errorf("barrier: %w", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("barrier: %w", err)
		}
		if len(entries) >= parties {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("barrier: %d parties did not arrive together", parties)
}
