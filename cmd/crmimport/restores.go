package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

// newRestoresCommand lists the tenant's restores.
func newRestoresCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "restores",
		Short: "List the tenant's restores to restore points, newest first (administrators)",
		Args:  cobra.NoArgs,
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, _ []string) error {
		list, err := a.client.Restores(cmd.Context())
		if err != nil {
			return err
		}
		if list.Restores == nil {
			list.Restores = []apiclient.Restore{}
		}
		return a.print(cmd, list, func() error {
			w := cmd.OutOrStdout()
			if len(list.Restores) == 0 {
				_, err := fmt.Fprintln(w, "No restores yet.")
				return err
			}
			t := newTable(w)
			t.AppendHeader(table.Row{"Restore", "Restore point", "Users", "Status", "Put back", "Deleted", "Edits lost", "Done", "Requested"})
			for _, r := range list.Restores {
				t.AppendRow(table.Row{r.ID, r.RestorePoint, usersOf(r), r.Status, r.PutBack, r.Deleted, r.EditsLost, fmt.Sprintf("%d/%d", r.Done, r.Total), when(r.CreatedAt)})
			}
			t.Render()
			return nil
		})
	})
}

// newRestoreCommand starts a restore (a dry run: it waits READY), or
// confirms one.
func newRestoreCommand(g *globals) *cobra.Command {
	var users []string
	var yes bool
	var confirm string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "restore POINT [--user EMAIL ...] [--yes] | restore --confirm RESTORE_ID",
		Short: "Restore the tenant's records, or chosen users', to a restore point (administrators)",
		Long: `Restore makes the records equal to a restore point (crmimport restore-points
lists them; a point is named by the import it was taken before): records
changed or deleted since are put back as they were, records created since are
deleted. --user (repeatable) restores those users only; without it, the whole
tenant.

Without --yes it is a dry run: it starts the restore, waits for its plan, and
prints what will be put back and deleted, and how many edits people made
since will be lost; nothing is written and the restore waits for your
confirmation: crmimport restore --confirm RESTORE_ID. With --yes it confirms
at once and waits for the restore to end, showing its progress.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if confirm != "" {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
	}
	cmd.Flags().StringArrayVar(&users, "user", nil, "restore this user's records only (an e-mail; repeatable)")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the restore and wait for it to end (without it: a dry run)")
	cmd.Flags().StringVar(&confirm, "confirm", "", "confirm the READY restore of this id and wait for it to end")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "how often to ask how the restore stands")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		ctx := cmd.Context()
		var r apiclient.Restore
		var err error
		if confirm == "" {
			if r, err = a.client.StartRestore(ctx, args[0], apiclient.RestoreRequest{Users: users}); err != nil {
				return err
			}
			if r, err = waitRestore(cmd, a, r, interval, func(r apiclient.Restore) bool { return r.Status != crm.RestorePlanning }); err != nil {
				return err
			}
			if !yes || r.Status != crm.RestoreReady {
				return endRestore(cmd, a, r)
			}
			confirm = r.ID
		}
		if r, err = a.client.ConfirmRestore(ctx, confirm); err != nil {
			return err
		}
		if r, err = waitRestore(cmd, a, r, interval, apiclient.Restore.Ended); err != nil {
			return err
		}
		return endRestore(cmd, a, r)
	})
}

// endRestore prints the restore; one that failed or expired is exit code
// ExitImportFailed, as status --watch answers an import that did.
func endRestore(cmd *cobra.Command, a *app, r apiclient.Restore) error {
	if err := a.print(cmd, r, func() error { return printRestore(cmd, r) }); err != nil {
		return err
	}
	if r.Status == crm.RestoreFailed || r.Status == crm.RestoreExpired {
		return &exitError{code: ExitImportFailed}
	}
	return nil
}

// waitRestore asks for the restore every interval until done says so,
// with a progress bar on standard error while it writes.
func waitRestore(cmd *cobra.Command, a *app, r apiclient.Restore, interval time.Duration, done func(apiclient.Restore) bool) (apiclient.Restore, error) {
	bar := progressbar.NewOptions64(int64(max(r.Total, 1)), progressbar.OptionSetWriter(cmd.ErrOrStderr()), barVisibility(cmd),
		progressbar.OptionShowCount(), progressbar.OptionSetDescription(string(r.Status)),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	defer bar.Finish()
	for {
		bar.Describe(string(r.Status))
		if r.Total > 0 {
			bar.ChangeMax64(int64(r.Total))
		}
		_ = bar.Set64(int64(r.Done))
		if done(r) || r.Ended() {
			return r, nil
		}
		select {
		case <-cmd.Context().Done():
			return r, cmd.Context().Err()
		case <-time.After(interval):
		}
		var err error
		if r, err = a.client.Restore(cmd.Context(), r.ID); err != nil {
			return r, err
		}
	}
}

func printRestore(cmd *cobra.Command, r apiclient.Restore) error {
	w := cmd.OutOrStdout()
	p := &printer{w: w}
	p.line("Restore    %s", r.ID)
	p.line("To         the restore point before import %s, %s", r.RestorePoint, when(r.Time))
	p.line("Users      %s", usersOf(r))
	p.line("Status     %s", r.Status)
	if r.Reason != "" {
		p.line("Reason     %s", r.Reason)
	}
	if len(r.ImportsSince) > 0 {
		p.line("Rolls back the writes of imports %s", strings.Join(r.ImportsSince, ", "))
	}
	if p.err != nil {
		return p.err
	}
	t := newTable(w)
	t.AppendHeader(table.Row{"Put back", "Deleted", "Unchanged", "Edits lost", "Done"})
	t.AppendRow(table.Row{r.PutBack, r.Deleted, r.Unchanged, r.EditsLost, fmt.Sprintf("%d/%d", r.Done, r.Total)})
	t.Render()
	if r.Status == crm.RestoreReady {
		if r.EditsLost > 0 {
			p.line("%d records were last changed by a person since the restore point: their edits will be lost.", r.EditsLost)
		}
		p.line("Dry run: nothing is written. Confirm with crmimport restore --confirm %s", r.ID)
	}
	return p.err
}

func usersOf(r apiclient.Restore) string {
	if len(r.Users) == 0 {
		return "all"
	}
	return strings.Join(r.Users, ", ")
}
