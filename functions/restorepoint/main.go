// Command restorepoint takes an import's restore point before its first
// write: it starts an export of the table to the bucket, and tells the
// workflow when it is ready (internal/steps/restorepoint.go).
package main

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/lambdafn"
	"github.com/crmimport/crm-import/internal/stack"
	"github.com/crmimport/crm-import/internal/steps"
)

func main() {
	s, err := stack.FromEnv(context.Background())
	if err != nil {
		stack.Exit(err)
	}
	maxWait, _ := strconv.Atoi(os.Getenv("RESTORE_POINT_WAIT_SECONDS"))
	h := &steps.RestorePoint{
		Jobs:    s.Jobs(),
		Exports: dynamo.NewExports(s.DynamoDB(), os.Getenv("TABLE_ARN"), s.BucketName),
		Mode:    os.Getenv("RESTORE_POINT_MODE"),
		MaxWait: time.Duration(maxWait) * time.Second,
		Log:     s.Log,
	}
	lambda.Start(lambdafn.Handler(s.Log, "restorepoint", h.Handle))
}
