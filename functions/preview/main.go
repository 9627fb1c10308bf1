// Command preview plans one user's changes: the preview the tenant decides on.
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
	h := &steps.Preview{Files: s.Bucket(), Records: s.Records(), Tenants: s.Tenants(), Jobs: s.Jobs(), Leases: s.Leases(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "preview", h.Handle))
}
