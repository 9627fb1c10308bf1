package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/stack"
)

// The demo tenant: two sales agents and a saved configuration for
// German-formatted customer files.
const (
	demoTenant = "demo"
	demoConfig = "customers-de"
	demoEntity = "customers"
)

var demoUsers = []crm.User{
	{ID: "u-anna", Email: "anna.berg@demo.example", EmployeeNumber: "1007", Name: "Anna Berg"},
	{ID: "u-jonas", Email: "jonas.weber@demo.example", EmployeeNumber: "1012", Name: "Jonas Weber"},
}

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

// run seeds the demo tenant's agents, then does what the tenant's
// administrator does in the wizard, through the API: saves the
// configuration, asks for an import and its upload URL, uploads the file at
// path, answers the user selection and each user's preview, and prints
// the summary. An import that does not succeed is an error, after the
// report.
func run(ctx context.Context, out io.Writer, st *stack.Stack, login demoLogin, path string) error {
	for _, u := range demoUsers {
		if err := st.Tenants().PutUser(ctx, demoTenant, u); err != nil {
			return err
		}
	}
	tokens, err := apiclient.Login(ctx, login.Cognito, login.User, login.Password)
	if err != nil {
		return fmt.Errorf("log in as %s: %w", login.User, err)
	}
	c := &apiclient.Client{BaseURL: login.API, Token: apiclient.Static(tokens.IDToken)}
	fmt.Fprintf(out, "logged in as %s (tenant %s) at %s\n", login.User, demoTenant, login.API)
	if err := c.PutConfig(ctx, demoConfig, []byte(demoConfigJSON)); err != nil {
		return fmt.Errorf("save configuration %s: %w", demoConfig, err)
	}
	fmt.Fprintf(out, "PUT  /configs/%s\n", demoConfig)

	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	created, err := c.CreateImport(ctx, apiclient.NewImport{
		Entity: demoEntity, Config: demoConfig, FileName: filepath.Base(path), Size: info.Size(),
	})
	if err != nil {
		return fmt.Errorf("create the import: %w", err)
	}
	id := created.Import.ID
	fmt.Fprintf(out, "POST /imports -> import %s, an upload URL for %s (at most %d bytes)\n", id, created.Upload.Fields.Get("key"), created.Upload.MaxBytes)
	if err := c.Upload(ctx, created.Upload, path, nil); err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	fmt.Fprintf(out, "uploaded %s (%d bytes)\n", path, info.Size())

	imp, err := answer(ctx, out, c, id, pollEvery)
	if err != nil {
		return err
	}
	// The workflow adapter only starts executions: the history, which
	// only the demo shows, is read from Step Functions directly.
	if err := printSteps(ctx, out, sfn.NewFromConfig(st.AWS), st.StateMachineARN, id); err != nil {
		return err
	}
	sum, err := c.Summary(ctx, id)
	if err != nil {
		return err
	}
	records := map[string]int{}
	for _, u := range demoUsers {
		rs, err := st.Records().Query(ctx, demoTenant, u.ID, demoEntity)
		if err != nil {
			return err
		}
		records[u.Email] = len(rs)
	}
	printSummary(out, sum, records)
	if imp.Status != crm.Succeeded {
		return fmt.Errorf("import %s ended %s: %s", id, imp.Status, imp.Reason)
	}
	return nil
}

// answer follows the import and answers each of its waits as an
// administrator who imports every user would: the selection with no one
// excluded, each preview with "import". It returns the import once it has
// ended.
func answer(ctx context.Context, out io.Writer, c *apiclient.Client, id string, every time.Duration) (apiclient.Import, error) {
	for {
		imp, err := followImport(ctx, out, c, id, every)
		if err != nil || apiclient.Ended(imp.Status) {
			return imp, err
		}
		switch imp.Waiting.For {
		case apiclient.ForSelection:
			users, err := c.Users(ctx, id)
			if err != nil {
				return imp, err
			}
			printUsers(out, users)
			if _, err := c.Select(ctx, id, nil); err != nil {
				return imp, err
			}
			fmt.Fprintf(out, "POST /imports/%s/selection: all %d users\n", id, len(users.Users))
		case apiclient.ForDecision:
			p, err := c.Preview(ctx, id, "", apiclient.Page{})
			if err != nil {
				return imp, err
			}
			printPreview(out, p)
			if _, err := c.Decide(ctx, id, apiclient.Decision{Decision: apiclient.DecideImport, User: p.User.ID}); err != nil {
				return imp, err
			}
			fmt.Fprintf(out, "POST /imports/%s/decision: import %s\n", id, p.User.Email)
		default:
			return imp, fmt.Errorf("import %s waits for %q, which the demo does not answer", id, imp.Waiting.For)
		}
	}
}
