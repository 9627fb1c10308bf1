// Command wait records an attended import's wait for the tenant (its task
// token) on the job and announces ImportWaiting.
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
	h := &steps.Wait{Jobs: s.Jobs(), Leases: s.Leases(), Tenants: s.Tenants(), Limits: s.Limits, Notify: s.Notifier(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "wait", h.Handle))
}
