package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/steps"
)

// The demo tenant of `make run`: one sales agent and a saved configuration
// for German-formatted customer files.
const (
	demoTenant = "demo"
	demoConfig = "customers-de"
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

func newDemoCmd() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "demo FILE",
		Short: "Import FILE for the demo tenant on the stack in the environment and print what happened",
		Long: `demo seeds a tenant "demo" with one sales agent and a saved configuration,
uploads FILE under incoming/demo/customers/, follows the import job to its end,
and prints the workflow's steps, the summary, and the records in DynamoDB.
It reads BUCKET, TABLE and STATE_MACHINE_ARN (and AWS_ENDPOINT_URL for a local
cloud) from the environment, as infra/localcloud writes them to .localcloud/env.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			return runDemo(ctx, cmd.OutOrStdout(), args[0])
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Minute, "how long to wait for the import to end")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, path string) error {
	bucketName, table, smARN := os.Getenv("BUCKET"), os.Getenv("TABLE"), os.Getenv("STATE_MACHINE_ARN")
	if bucketName == "" || table == "" || smARN == "" {
		return fmt.Errorf("BUCKET, TABLE and STATE_MACHINE_ARN must be set: run `source .localcloud/env` after `infra/localcloud up`")
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("load aws config: %w", err)
	}
	db, sf := dynamodb.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	tenants, jobs := dynamo.NewTenants(db, table), dynamo.NewJobs(db, table)

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
	key := crm.IncomingPrefix + demoTenant + "/customers/" + filepath.Base(path)
	put, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &bucketName, Key: &key, Body: f,
		Metadata: map[string]string{steps.ConfigMetadata: demoConfig},
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	id := crm.ImportID(bucketName, key, aws.ToString(put.VersionId), aws.ToString(put.ETag))
	fmt.Fprintf(out, "uploaded %s to s3://%s/%s\nimport job %s\n", path, bucketName, key, id)

	j, err := followJob(ctx, out, jobs, id)
	if err != nil {
		return err
	}
	if err := printSteps(ctx, out, sf, smARN, id); err != nil {
		return err
	}
	items, err := countRecords(ctx, db, table, demoTenant, demoUser.ID)
	if err != nil {
		return err
	}
	printSummary(out, j, items)
	if j.Status != crm.Succeeded {
		return fmt.Errorf("import %s ended %s: %s", id, j.Status, j.Reason)
	}
	return nil
}

// followJob polls the job record and prints each status it passes through.
func followJob(ctx context.Context, out io.Writer, jobs *dynamo.Jobs, id string) (crm.Job, error) {
	var last crm.Status
	for {
		j, err := jobs.Get(ctx, demoTenant, id)
		if err == nil && j.Status != last {
			fmt.Fprintf(out, "  %-10s %d/%d rows applied\n", j.Status, j.Done, j.Total)
			last = j.Status
		}
		if err == nil && j.Status.Terminal() {
			return j, nil
		}
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("import %s did not end in time (last status %q)", id, last)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// printSteps lists the workflow states the execution went through.
func printSteps(ctx context.Context, out io.Writer, sf *sfn.Client, smARN, id string) error {
	arn := strings.Replace(smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	p := sfn.NewGetExecutionHistoryPaginator(sf, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
	fmt.Fprintln(out, "workflow steps:")
	depth := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("execution history of %s: %w", id, err)
		}
		for _, ev := range page.Events {
			switch ev.Type {
			case sfntypes.HistoryEventTypeMapStateExited:
				depth--
			case sfntypes.HistoryEventTypeTaskStateEntered, sfntypes.HistoryEventTypeMapStateEntered, sfntypes.HistoryEventTypeFailStateEntered:
				name := aws.ToString(ev.StateEnteredEventDetails.Name)
				fmt.Fprintf(out, "  %s  %s%s\n", ev.Timestamp.Format("15:04:05.000"), strings.Repeat("  ", depth), name)
				if ev.Type == sfntypes.HistoryEventTypeMapStateEntered {
					depth++ // the states of each user follow, indented
				}
			}
		}
	}
	return nil
}

// countRecords counts a user's records in the table.
func countRecords(ctx context.Context, db *dynamodb.Client, table, tenantID, user string) (int, error) {
	pk := "T#" + tenantID + "#U#" + user
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                 &table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: pk}},
		Select:                    dbtypes.SelectCount,
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count records of %s: %w", pk, err)
		}
		n += int(page.Count)
	}
	return n, nil
}

func printSummary(out io.Writer, j crm.Job, items int) {
	t := table.NewWriter()
	t.SetOutputMirror(out)
	c := j.Counts
	t.AppendRows([]table.Row{
		{"import", j.ID}, {"status", j.Status},
		{"rows in file", c.Rows}, {"invalid", c.Invalid}, {"created", c.Created}, {"updated", c.Updated},
		{"unchanged", c.Unchanged}, {"deleted", c.Deleted}, {"skipped", c.Skipped}, {"failed", c.Failed},
		{"records in DynamoDB", items},
	})
	if j.Reason != "" {
		t.AppendRow(table.Row{"reason", j.Reason})
	}
	t.Render()
	data, _ := json.Marshal(j)
	fmt.Fprintf(out, "job record: %s\n", data)
}
