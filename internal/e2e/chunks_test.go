package e2e

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/crmimport/crm-import/internal/cloudtest"
)

// One user's plan applied in several invocations of the apply function
// (each stops after a chunk once it has done APPLY_MAX_OPS ops, and the
// workflow invokes it again on where it stopped) must leave what one
// invocation leaves: the records, before-images, row log and job counts of
// the fault tests' import. Like those tests, these change the deployed
// function for every test binary sharing the local cloud, so they do not
// call t.Parallel and put the configuration back as soon as they end.
func TestApplyInSeveralInvocationsLeavesTheOneInvocationTable(t *testing.T) {
	st := newStack(t)
	clean := runFaultImport(t, st)
	if n := st.applyInvocations(t, clean.job.ID); n != 1 {
		t.Fatalf("apply invocations without a bound = %d, want 1", n)
	}

	// 300 rows are three chunks of 100: at most 40 ops an invocation make
	// one invocation a chunk, and a last one that finds the plan done.
	st.setApplyEnv(t, "APPLY_MAX_OPS", "40")
	tests := []struct {
		name   string
		faults []cloudtest.Fault
	}{
		{name: "without faults"},
		// The apply function's PutObjects: the row-log part of each
		// invocation that stops, then the row log and the result. The
		// second invocation's part is written and the function killed:
		// the workflow runs that invocation again on the same input.
		{name: "the second invocation crashes after its writes", faults: []cloudtest.Fault{
			{Function: "ApplyFunction", Service: "s3", Operation: "PutObject", After: 1, Times: 1, Action: cloudtest.Crash},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runFaultImport(t, st, tt.faults...)
			checkSameAs(t, got, clean)
			if n := st.applyInvocations(t, got.job.ID); n < 4 {
				t.Errorf("apply invocations with at most 40 ops each = %d, want at least 4 (one a chunk and the last)", n)
			}
		})
	}
}

// setApplyEnv sets one variable of the deployed apply function's
// environment until the test ends.
func (st *stack) setApplyEnv(t *testing.T, name, value string) {
	t.Helper()
	ctx := context.Background()
	lc := lambda.NewFromConfig(st.cloud.AWS)
	var fn string
	p := lambda.NewListFunctionsPaginator(lc, &lambda.ListFunctionsInput{})
	for p.HasMorePages() && fn == "" {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListFunctions: %v", err)
		}
		for _, f := range page.Functions {
			if strings.Contains(aws.ToString(f.FunctionName), "ApplyFunction") {
				fn = aws.ToString(f.FunctionName)
			}
		}
	}
	if fn == "" {
		t.Fatal("no deployed function named like ApplyFunction")
	}
	cfg, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &fn})
	if err != nil {
		t.Fatalf("GetFunctionConfiguration(%s): %v", fn, err)
	}
	old := map[string]string{}
	if cfg.Environment != nil {
		old = cfg.Environment.Variables
	}
	set := func(vars map[string]string) {
		if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName: &fn, Environment: &lambdatypes.Environment{Variables: vars},
		}); err != nil {
			t.Fatalf("UpdateFunctionConfiguration(%s): %v", fn, err)
		}
	}
	vars := maps.Clone(old)
	vars[name] = value
	set(vars)
	t.Cleanup(func() { set(old) })
}

// applyInvocations counts the invocations of the apply function that
// succeeded in the execution of import id: the Apply states exited in the
// Distributed Map's children (an invocation retried after a crash stays in
// its state and exits it once).
func (st *stack) applyInvocations(t *testing.T, id string) int {
	t.Helper()
	arn := strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	n := 0
	for _, e := range st.mapRunsHistory(t, arn) {
		if e.StateExitedEventDetails != nil && aws.ToString(e.StateExitedEventDetails.Name) == "Apply" {
			n++
		}
	}
	return n
}
