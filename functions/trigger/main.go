// Command trigger starts an import workflow for each uploaded file.
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
	h := &steps.Trigger{Bucket: s.BucketName, Jobs: s.Jobs(), Workflow: s.Workflow(), Log: s.Log}
	lambda.Start(h.Handle)
}
