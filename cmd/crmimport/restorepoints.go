package main

import (
	"fmt"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

// newRestorePointsCommand lists the tenant's restore points: the table
// as it was before each import's first write.
func newRestorePointsCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restore-points",
		Short: "List the tenant's restore points, newest first (administrators)",
		Long: `List the restore points taken before each import's first write, newest
first: the import, its file, when, and whether an export of the table is in
the bucket ("export") or only the time is recorded ("point-in-time").
Administrators only.`,
		Args: cobra.NoArgs,
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, _ []string) error {
		list, err := a.client.RestorePoints(cmd.Context())
		if err != nil {
			return err
		}
		if list.RestorePoints == nil {
			list.RestorePoints = []apiclient.RestorePoint{}
		}
		return a.print(cmd, list, func() error {
			w := cmd.OutOrStdout()
			if len(list.RestorePoints) == 0 {
				_, err := fmt.Fprintln(w, "No restore points yet.")
				return err
			}
			t := newTable(w)
			t.AppendHeader(table.Row{"Time", "Import", "Entity", "File", "Import status", "Kind"})
			for _, rp := range list.RestorePoints {
				t.AppendRow(table.Row{when(rp.Time), rp.Import, rp.Entity, rp.File, rp.Status, rp.Kind})
			}
			t.Render()
			return nil
		})
	})
}
