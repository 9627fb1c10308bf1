// Command next says what an import's workflow runs next: the Map over every
// user for an unattended import, the waits, previews and applies of an
// attended one (internal/steps/wizard.go).
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
	h := &steps.Next{Files: s.Bucket(), Jobs: s.Jobs(), Tenants: s.Tenants(), Leases: s.Leases(), Limits: s.Limits, WaitSeconds: s.WaitSeconds, Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "next", h.Handle))
}
