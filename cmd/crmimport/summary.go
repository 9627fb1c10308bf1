package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

var userCountsHeader = table.Row{"User", "E-mail", "Rows", "Created", "Updated", "Unchanged", "Deleted", "Skipped", "Invalid", "Failed"}

func userCountsRow(id, email string, rows int, c crm.Counts) table.Row {
	if id != "Total" {
		email = userLabel(id, email)
	}
	return table.Row{id, email, rows, c.Created, c.Updated, c.Unchanged, c.Deleted, c.Skipped, c.Invalid, c.Failed}
}

// userLabel is how a table names a user: the e-mail, or for the user
// directory (an import of the users entity), what it is.
func userLabel(id, email string) string {
	switch {
	case email != "":
		return email
	case id == apiclient.DirectoryUser:
		return "the user directory"
	}
	return ""
}

func newSummaryCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "summary ID",
		Short: "Show the closing summary of an import that has ended, per user",
		Args:  cobra.ExactArgs(1),
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		sum, err := a.client.Summary(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return a.print(cmd, sum, func() error {
			w := cmd.OutOrStdout()
			p := &printer{w: w}
			p.line("Import     %s", sum.ID)
			p.line("Status     %s", sum.Status)
			if sum.Reason != "" {
				p.line("Reason     %s", sum.Reason)
			}
			if p.err != nil {
				return p.err
			}
			t := newTable(w)
			t.AppendHeader(userCountsHeader)
			for _, u := range sum.Users {
				t.AppendRow(userCountsRow(u.ID, u.Email, u.Rows, u.Counts))
			}
			t.AppendFooter(userCountsRow("Total", "", sum.Counts.Rows, sum.Counts))
			t.Render()
			if sum.HasErrorFile {
				fmt.Fprintf(w, "Rows not imported: crmimport errors %s -o errors.csv\n", sum.ID)
			}
			if sum.Duplicates > 0 {
				fmt.Fprintf(w, "Likely duplicates: %d pairs: crmimport duplicates %s\n", sum.Duplicates, sum.ID)
			}
			return nil
		})
	})
}

func newErrorsCommand(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "errors ID [-o FILE]",
		Short: "Download the error file of an import: the rows not imported, with the reason",
		Long: `Errors writes the import's error file (CSV: row, column, value, reason) to
FILE, or to standard output.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default: standard output)")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		var buf bytes.Buffer // the API sends at most 4 MiB; a file is written only once it has all come
		name, err := a.client.ErrorFile(cmd.Context(), args[0], &buf)
		if err != nil {
			return err
		}
		if out == "" {
			_, err := cmd.OutOrStdout().Write(buf.Bytes())
			return err
		}
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			return &exitError{code: ExitFailure, err: err}
		}
		return a.print(cmd, map[string]any{"file": out, "name": name, "bytes": buf.Len()}, func() error {
			_, err := fmt.Fprintf(cmd.ErrOrStderr(), "Wrote %s (%d bytes)\n", out, buf.Len())
			return err
		})
	})
}
