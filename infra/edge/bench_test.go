package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// BenchmarkWarmInvoke measures a warm invocation through the edge against
// the floor of the same run: one forwarded GetFunction, which the edge
// also makes for every invocation. "x-getfunction" is how many forwarded
// moto calls one invocation costs.
func BenchmarkWarmInvoke(b *testing.B) {
	if setupFailed != "" || testEdge == nil {
		b.Skip("moto_server not available: " + setupFailed)
	}
	name := createFunction(b, 5, nil)
	client := lambda.NewFromConfig(testAWS)
	ctx := context.Background()
	invoke := func() {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
		if err != nil || out.FunctionError != nil {
			b.Fatalf("Invoke: %v %v", err, out)
		}
	}
	getFunction := func() {
		if _, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err != nil {
			b.Fatalf("GetFunction: %v", err)
		}
	}
	invoke() // start the process

	const baselineRuns = 50
	start := time.Now()
	for range baselineRuns {
		getFunction()
	}
	baseline := time.Since(start) / baselineRuns

	b.ResetTimer()
	for b.Loop() {
		invoke()
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(baseline), "x-getfunction")
}
