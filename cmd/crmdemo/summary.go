package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/jedib0t/go-pretty/v6/table"
)

// printSummary prints the job's counts, with the reason of an import that
// did not succeed, the records the user has in DynamoDB, and the job record
// as JSON.
func printSummary(out io.Writer, j crm.Job, records int) {
	t := table.NewWriter()
	t.SetOutputMirror(out)
	c := j.Counts
	t.AppendRows([]table.Row{
		{"import", j.ID}, {"status", j.Status},
		{"rows in file", c.Rows}, {"invalid", c.Invalid}, {"created", c.Created}, {"updated", c.Updated},
		{"unchanged", c.Unchanged}, {"deleted", c.Deleted}, {"skipped", c.Skipped}, {"failed", c.Failed},
		{"records in DynamoDB", records},
	})
	if j.Reason != "" {
		t.AppendRow(table.Row{"reason", j.Reason})
	}
	t.Render()
	data, _ := json.Marshal(j)
	fmt.Fprintf(out, "job record: %s\n", data)
}
