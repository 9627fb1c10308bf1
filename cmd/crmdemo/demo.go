package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/crmimport/crm-import/internal/stack"
	"github.com/crmimport/crm-import/internal/steps"
)

// The demo tenant: one sales agent and a saved configuration for
// German-formatted customer files.
const (
	demoTenant = "demo"
	demoConfig = "customers-de"
	demoEntity = "customers"
)

var demoUser = crm.User{ID: "u-anna", Email: "anna.berg@demo.example", EmployeeNumber: "1007", Name: "Anna Berg"}

var demoConfigJSON = `{
  "version": 1,
  "entity": "customers",
  "mode": "update",
  "key_fields": ["customer_number"],
  "assignment": {"column": "Agent email", "by": "email"},
  "locale": "de-DE"
}`

// pollEvery is how often the demo reads the job while it runs.
const pollEvery = 300 * time.Millisecond

// run seeds the demo tenant, uploads the file at path for it, follows the
// import to its end and prints what happened. An import that does not
// succeed is an error, after the report.
func run(ctx context.Context, out io.Writer, st *stack.Stack, path string) error {
	tenants := st.Tenants()
	if err := tenants.PutUser(ctx, demoTenant, demoUser); err != nil {
		return err
	}
	if err := tenants.SaveConfig(ctx, demoTenant, demoConfig, []byte(demoConfigJSON)); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	key := crm.IncomingPrefix + demoTenant + "/" + demoEntity + "/" + filepath.Base(path)
	id, err := st.Bucket().Upload(ctx, key, f, map[string]string{steps.ConfigMetadata: demoConfig})
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	fmt.Fprintf(out, "uploaded %s to s3://%s/%s\nimport job %s\n", path, st.BucketName, key, id)

	j, err := followJob(ctx, out, st.Jobs(), id, pollEvery)
	if err != nil {
		return err
	}
	// The workflow adapter only starts executions: the history, which
	// only the demo shows, is read from Step Functions directly.
	if err := printSteps(ctx, out, sfn.NewFromConfig(st.AWS), st.StateMachineARN, id); err != nil {
		return err
	}
	records, err := st.Records().Query(ctx, demoTenant, demoUser.ID, demoEntity)
	if err != nil {
		return err
	}
	printSummary(out, j, len(records))
	if j.Status != crm.Succeeded {
		return fmt.Errorf("import %s ended %s: %s", id, j.Status, j.Reason)
	}
	return nil
}
