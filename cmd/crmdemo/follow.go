package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// jobReader is the part of crm.Jobs the demo reads.
type jobReader interface {
	Get(ctx context.Context, tenant, id string) (crm.Job, error)
}

// followJob reads the job every so often until it has ended, printing each
// status it passes through. Until the trigger has created the job, reading
// it fails: that is waited out too.
func followJob(ctx context.Context, out io.Writer, jobs jobReader, id string, every time.Duration) (crm.Job, error) {
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
