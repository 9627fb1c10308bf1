// Command api is the tenant's HTTP API behind API Gateway.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/internal/api"
	"github.com/crmimport/crm-import/internal/stack"
)

func main() {
	s, err := stack.FromEnv(context.Background())
	if err != nil {
		stack.Exit(err)
	}
	jobs := s.Jobs()
	h := &api.Handler{
		Jobs: jobs, Files: s.Bucket(), Tenants: s.Tenants(), Log: s.Log,
		Uploads: s.Uploads(), Bucket: s.BucketName, Limits: s.Limits,
		Workflow: s.Workflow(),
		Records:  s.Records(), UndoRetention: s.UndoRetention(),
		UndoWorkflow: s.UndoWorkflow(), UndoRuns: jobs,
		Export:   s.Records(),
		Restores: jobs, RestoreWorkflow: s.RestoreWorkflow(),
	}
	lambda.Start(h.Handle)
}
