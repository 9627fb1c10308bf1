// Command validate reads an uploaded file and validates every row.
package main

import (
	"context"

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
	h := &steps.Validate{Files: s.Bucket(), Jobs: s.Jobs(), Tenants: s.Tenants(), Limits: s.Limits, Leases: s.Leases(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "validate", h.Handle))
}
