package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

func newDuplicatesCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "duplicates ID",
		Short: "List the likely duplicates among an ended import's records and the CRM's others",
		Long: `Duplicates lists pairs of records that look like one: the same e-mail, phone,
national id, or name and postcode. Each pair has a record the import wrote and
another one, from the same file or already in the CRM, with what they share.
Nothing is merged: that is a decision to make in the CRM.`,
		Args: cobra.ExactArgs(1),
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		all, err := allDuplicates(cmd, a.client, args[0])
		if err != nil {
			return err
		}
		return a.print(cmd, all, func() error {
			w := cmd.OutOrStdout()
			p := &printer{w: w}
			p.line("Import     %s (%s)", all.ImportID, all.Entity)
			p.line("Compared   %d records", all.Checked)
			p.line("Pairs      %d: %d within the file, %d with records already in the CRM", all.Total, all.WithinFile, all.Existing)
			if all.Listed < all.Total {
				p.line("Listed     the first %d", all.Listed)
			}
			for _, c := range all.Common {
				p.line("Common     %s %s: %d more records share it and are not paired", strings.ReplaceAll(c.Shared, "_", " "), c.Value, c.NotPaired)
			}
			if p.err != nil || len(all.Pairs) == 0 {
				return p.err
			}
			t := newTable(w)
			t.AppendHeader(table.Row{"Record", "Name", "User", "Looks like", "Name", "User", "From", "Shared"})
			for _, pr := range all.Pairs {
				from := "the CRM"
				if pr.WithinFile {
					from = "the file"
				}
				t.AppendRow(table.Row{pr.A.ID, pr.A.Name, pr.A.User, pr.B.ID, pr.B.Name, pr.B.User, from, shared(pr.Shared)})
			}
			t.Render()
			return nil
		})
	})
}

// allDuplicates reads every page of the import's pairs.
func allDuplicates(cmd *cobra.Command, c *apiclient.Client, id string) (apiclient.Duplicates, error) {
	var all apiclient.Duplicates
	page := apiclient.Page{Limit: 500}
	for {
		d, err := c.Duplicates(cmd.Context(), id, page)
		if err != nil {
			return all, err
		}
		pairs := append(all.Pairs, d.Pairs...)
		all, all.Pairs = d, pairs
		if d.NextOffset == nil {
			all.NextOffset = nil
			if all.Pairs == nil {
				all.Pairs = []apiclient.DuplicatePair{}
			}
			return all, nil
		}
		page.Offset = *d.NextOffset
	}
}

// shared says what a pair shares: "email eva@x.example, phone +4930...".
func shared(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %s", strings.ReplaceAll(k, "_", " "), m[k]))
	}
	return strings.Join(parts, ", ")
}
