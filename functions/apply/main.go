// Command apply writes one user's plan into DynamoDB.
package main

import (
	"context"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/internal/lambdafn"
	"github.com/crmimport/crm-import/internal/stack"
	"github.com/crmimport/crm-import/internal/steps"
)

func main() {
	s, err := stack.FromEnv(context.Background())
	if err != nil {
		stack.Exit(err)
	}
	// APPLY_MAX_OPS bounds the ops of one invocation (0: as many as its
	// time allows); the workflow invokes it again until the plan is done.
	maxOps, _ := strconv.Atoi(os.Getenv("APPLY_MAX_OPS"))
	h := &steps.Apply{Files: s.Bucket(), Records: s.Records(), Tenants: s.Tenants(), Jobs: s.Jobs(), Leases: s.Leases(), MaxOps: maxOps, Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "apply", h.Step))
}
