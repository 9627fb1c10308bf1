// Command undo takes one import back as the undo workflow's steps: it
// records the run, undoes a batch of before-images per invocation, and
// records how it ended (internal/steps/undo.go).
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
	jobs := s.Jobs()
	h := &steps.Undo{Records: s.Records(), Leases: s.Leases(), Runs: jobs, Jobs: jobs, Files: s.Bucket(), Notifier: s.Notifier(), Log: s.Log}
	lambda.Start(lambdafn.Handler(s.Log, "undo", h.Handle))
}
