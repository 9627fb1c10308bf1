// Command finalize closes an import job and announces it.
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
	h := &steps.Finalize{Files: s.Bucket(), Jobs: s.Jobs(), Notify: s.Notifier(), Records: s.Records(), Leases: s.Leases(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "finalize", h.Handle))
}
