// Command restore runs every task of the restore workflow: plan the dry
// run, record the wait for the confirmation, write the plan back in
// batches, and end a restore that expired or failed.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/internal/lambdafn"
	"github.com/crmimport/crm-import/internal/restore"
	"github.com/crmimport/crm-import/internal/stack"
	"github.com/crmimport/crm-import/internal/steps"
)

func main() {
	s, err := stack.FromEnv(context.Background())
	if err != nil {
		stack.Exit(err)
	}
	jobs, files, store := s.Jobs(), s.Bucket(), s.RestoreStore()
	h := &steps.Restore{
		Restores: jobs, Jobs: jobs, Tenants: s.Tenants(), Files: files, Notify: s.Notifier(), Log: s.Log,
		Planner:     &restore.Planner{Points: s.RestorePoints(), Store: store, Files: files},
		Actor:       &restore.Actor{Store: store, Files: files, Leases: s.Leases(), Restores: jobs},
		WaitSeconds: s.WaitSeconds,
	}
	lambda.Start(lambdafn.Handler(s.Log, "restore", h.Handle))
}
