// Command sweeper ends, FAILED with the reason, the import jobs whose
// workflow stopped without closing them or never started.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/internal/stack"
	"github.com/crmimport/crm-import/internal/steps"
)

func main() {
	s, err := stack.FromEnv(context.Background())
	if err != nil {
		stack.Exit(err)
	}
	h := &steps.Sweeper{
		Jobs: s.Jobs(), Workflow: s.Workflow(), Records: s.Records(), Files: s.Bucket(), Notify: s.Notifier(),
		Leases: s.Leases(), Tenants: s.Tenants(), Limits: s.Limits, Deadline: s.StuckJobAfter, Log: s.Log,
	}
	lambda.Start(h.Handle)
}
