package main

import (
	"fmt"
	"io"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/crmimport/crm-import/internal/apiclient"
)

// printUsers prints the user selection: each user with rows, and each
// value of the agent column that named nobody.
func printUsers(out io.Writer, u apiclient.Users) {
	t := table.NewWriter()
	t.SetOutputMirror(out)
	t.AppendHeader(table.Row{"user", "e-mail", "rows"})
	for _, x := range u.Users {
		t.AppendRow(table.Row{x.Name, x.Email, x.Rows})
	}
	for _, x := range u.Unmatched {
		t.AppendRow(table.Row{"(no such user)", x.Value, x.Rows})
	}
	t.Render()
}

// printPreview prints what importing the user in turn would do, and a
// sample of the field changes.
func printPreview(out io.Writer, p apiclient.Preview) {
	c := p.Counts
	fmt.Fprintf(out, "preview of %s: %d to create, %d to update, %d unchanged, %d to delete, %d skipped, %d with errors; %d rows match existing records\n",
		p.User.Email, c.Create, c.Update, c.Unchanged, c.Delete, c.Skip, c.Errors, p.Matched)
	for _, r := range p.Sample {
		for _, ch := range r.Changes {
			fmt.Fprintf(out, "  row %d %s %s: %q -> %q\n", r.Row, r.Action, ch.Field, ch.Old, ch.New)
		}
	}
}

// printSummary prints the import's summary, user by user, with the
// records each user has in DynamoDB, and the reason of an import that did
// not succeed.
func printSummary(out io.Writer, s apiclient.Summary, records map[string]int) {
	t := table.NewWriter()
	t.SetOutputMirror(out)
	t.AppendHeader(table.Row{"user", "rows", "created", "updated", "unchanged", "deleted", "skipped", "failed", "records in DynamoDB"})
	for _, u := range s.Users {
		c := u.Counts
		t.AppendRow(table.Row{u.Email, u.Rows, c.Created, c.Updated, c.Unchanged, c.Deleted, c.Skipped, c.Failed, records[u.Email]})
	}
	c := s.Counts
	t.AppendFooter(table.Row{"all users", c.Rows, c.Created, c.Updated, c.Unchanged, c.Deleted, c.Skipped, c.Failed, ""})
	t.Render()
	fmt.Fprintf(out, "import %s %s: %d rows in the file, %d invalid\n", s.ID, s.Status, c.Rows, c.Invalid)
	if s.Reason != "" {
		fmt.Fprintf(out, "reason: %s\n", s.Reason)
	}
}
