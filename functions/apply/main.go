// Command apply writes one user's plan into DynamoDB.
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
	h := &steps.Apply{Files: s.Bucket(), Records: s.Records(), Tenants: s.Tenants(), Jobs: s.Jobs(), Leases: s.Leases(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "apply", h.Handle))
}
