package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// importReader is the part of the API client the demo follows an import
// with.
type importReader interface {
	Import(ctx context.Context, id string) (apiclient.Import, error)
}

// followImport reads the import every so often until it has ended or waits
// for the tenant, printing each status it passes through.
func followImport(ctx context.Context, out io.Writer, c importReader, id string, every time.Duration) (apiclient.Import, error) {
	var last crm.Status
	for {
		imp, err := c.Import(ctx, id)
		if err != nil {
			return imp, err
		}
		if imp.Status != last {
			fmt.Fprintf(out, "  %-10s %d/%d rows applied\n", imp.Status, imp.Done, imp.Total)
			last = imp.Status
		}
		if apiclient.Ended(imp.Status) || (imp.Status == crm.Waiting && imp.Waiting != nil) {
			return imp, nil
		}
		select {
		case <-ctx.Done():
			return imp, fmt.Errorf("import %s did not end in time (last status %q)", id, last)
		case <-time.After(every):
		}
	}
}

// printSteps lists the workflow states the execution went through, the
// states of each user indented under the Map state.
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
					depth++
				}
			}
		}
	}
	return nil
}
