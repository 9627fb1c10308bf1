package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

func newUndoCommand(g *globals) *cobra.Command {
	var force, yes bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "undo ID [--force] [--yes]",
		Short: "Undo an import that has ended: delete what it created, put back what it changed",
		Long: `Undo takes an import back from the images of the records it changed: what it
created is deleted, what it updated or deleted is put back as it was. A record
changed since the import (by a person or a later import) is a conflict, listed
with its fields and left alone; --force takes it back all the same.

Without --yes it is a dry run: it prints what the undo would do and writes
nothing. With --yes the undo runs as its own workflow: the command waits for
it to end, showing the records looked at, and prints what it did; run it
again after an interruption and it finishes the same. Administrators only,
for the retention period after the import was started (30 days unless the
stack says otherwise).`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&force, "force", false, "take back the records changed since the import as well")
	cmd.Flags().BoolVar(&yes, "yes", false, "undo (without it: a dry run)")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often --yes asks how the undo stands")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		u, err := a.client.Undo(cmd.Context(), args[0], apiclient.UndoRequest{Confirm: yes, Force: force})
		if err != nil {
			return err
		}
		if u.Running() {
			if u, err = waitUndo(cmd, a, u, interval); err != nil {
				return err
			}
		}
		if u.Undo != nil && u.Undo.Status == crm.UndoFailed {
			return &exitError{code: ExitImportFailed, err: fmt.Errorf("the undo of %s failed: %s", u.ImportID, u.Undo.Reason)}
		}
		return a.print(cmd, u, func() error { return printUndo(cmd, u) })
	})
}

// waitUndo asks for the undo run every interval, showing the records
// looked at, until it ends; it answers the run's result.
func waitUndo(cmd *cobra.Command, a *app, u apiclient.Undo, interval time.Duration) (apiclient.Undo, error) {
	bar := progressbar.NewOptions64(1, progressbar.OptionSetWriter(cmd.ErrOrStderr()), barVisibility(cmd),
		progressbar.OptionShowCount(), progressbar.OptionSetDescription("undoing"),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	defer bar.Finish()
	id := u.ImportID
	for u.Running() {
		if u.Undo.Total > 0 {
			bar.ChangeMax64(int64(u.Undo.Total))
		}
		_ = bar.Set64(int64(u.Undo.Done))
		select {
		case <-cmd.Context().Done():
			return u, cmd.Context().Err()
		case <-time.After(interval):
		}
		var err error
		if u, err = a.client.UndoRun(cmd.Context(), id); err != nil {
			return u, err
		}
	}
	return u, nil
}

// printUndo writes the counts, then each conflict's fields that differ.
func printUndo(cmd *cobra.Command, u apiclient.Undo) error {
	w := cmd.OutOrStdout()
	p := &printer{w: w}
	p.line("Import     %s", u.ImportID)
	switch {
	case u.DryRun:
		p.line("Dry run    nothing is written: run crmimport undo %s --yes%s to undo", u.ImportID, forceFlag(u.Forced))
	case u.Undone != nil:
		p.line("Undone     %s by %s", u.Undone.At.Local().Format(time.DateTime), u.Undone.By)
	}
	if p.err != nil {
		return p.err
	}
	t := newTable(w)
	t.AppendHeader(table.Row{"Deleted", "Restored", "Conflicts"})
	t.AppendRow(table.Row{u.Deleted, u.Restored, u.ConflictsTotal})
	t.Render()
	if u.ConflictsTotal == 0 {
		return nil
	}
	what := "left alone; --force takes them back"
	if u.Forced {
		what = "taken back (--force)"
	}
	p.line("Records changed since the import, %s:", what)
	if p.err != nil {
		return p.err
	}
	t = newTable(w)
	t.AppendHeader(table.Row{"User", "Entity", "ID", "Field", "Now", "Undo writes", "Reason"})
	for _, c := range u.Conflicts {
		for _, f := range changedFields(c) {
			t.AppendRow(table.Row{c.User, c.Entity, c.ID, f, fieldOf(c.Now, f), fieldOf(c.Undo, f), c.Reason})
		}
	}
	t.Render()
	if n := u.ConflictsTotal - len(u.Conflicts); n > 0 {
		p.line("… and %d more (crmimport undo %s --json lists the first %d)", n, u.ImportID, len(u.Conflicts))
	}
	return p.err
}

func forceFlag(force bool) string {
	if force {
		return " --force"
	}
	return ""
}

// changedFields are the fields now and undo disagree on, by name; one
// empty name when the record is gone or would be deleted and has none.
func changedFields(c apiclient.UndoConflict) []string {
	names := map[string]bool{}
	for f, v := range c.Now {
		if c.Undo == nil || c.Undo[f] != v {
			names[f] = true
		}
	}
	for f, v := range c.Undo {
		if c.Now == nil || c.Now[f] != v {
			names[f] = true
		}
	}
	if len(names) == 0 {
		return []string{""}
	}
	return slices.Sorted(maps.Keys(names))
}

// fieldOf is a field's value, or what stands for a record that is not
// there.
func fieldOf(fields map[string]string, name string) string {
	if fields == nil {
		return "(no record)"
	}
	return fields[name]
}
