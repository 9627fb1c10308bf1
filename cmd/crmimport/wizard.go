package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

func newUsersCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users ID",
		Short: "List the users an import's rows go to, and the values that match no user",
		Args:  cobra.ExactArgs(1),
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		us, err := a.client.Users(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return a.print(cmd, us, func() error {
			w := cmd.OutOrStdout()
			t := newTable(w)
			t.AppendHeader(table.Row{"User", "E-mail", "Name", "Rows", "Status"})
			for _, u := range us.Users {
				t.AppendRow(table.Row{u.ID, u.Email, u.Name, u.Rows, u.Status})
			}
			t.Render()
			if len(us.Unmatched) > 0 {
				t := newTable(w)
				t.AppendHeader(table.Row{"Matches no user", "Rows"})
				for _, u := range us.Unmatched {
					t.AppendRow(table.Row{u.Value, u.Rows})
				}
				t.Render()
			}
			if us.Unassigned > 0 {
				if us.Unassigned == 1 {
					fmt.Fprintln(w, "1 row names no user: it will not be imported.")
				} else {
					fmt.Fprintf(w, "%d rows name no user: they will not be imported.\n", us.Unassigned)
				}
			}
			return nil
		})
	})
}

func newSelectCommand(g *globals) *cobra.Command {
	var exclude []string
	cmd := &cobra.Command{
		Use:   "select ID [--exclude USER]...",
		Short: "Answer an import's selection: every user but the excluded ones is imported",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringSliceVar(&exclude, "exclude", nil, "a user (id or e-mail) not to import; repeat or separate by commas")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		im, err := a.client.Select(cmd.Context(), args[0], exclude)
		if err != nil {
			return err
		}
		return a.print(cmd, im, func() error { return printImport(cmd.OutOrStdout(), im) })
	})
}

func newPreviewCommand(g *globals) *cobra.Command {
	var user string
	var page apiclient.Page
	var rows bool
	cmd := &cobra.Command{
		Use:   "preview ID [--user U]",
		Short: "Show the preview of the user in turn: what importing their rows will do",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&user, "user", "", "the user (id) whose preview to show (default: the one in turn)")
	cmd.Flags().BoolVar(&rows, "rows", false, "list every planned row of the page, not only the sample")
	cmd.Flags().IntVar(&page.Offset, "offset", 0, "the first planned row to list")
	cmd.Flags().IntVar(&page.Limit, "limit", 0, "planned rows per page (default: the API's, 100)")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		pv, err := a.client.Preview(cmd.Context(), args[0], user, page)
		if err != nil {
			return err
		}
		return a.print(cmd, pv, func() error { return printPreviewOf(cmd.OutOrStdout(), args[0], pv, rows) })
	})
}

func printPreviewOf(w io.Writer, id string, pv apiclient.Preview, rows bool) error {
	p := &printer{w: w}
	p.line("User       %s (%s), %d rows", first(pv.User.Email, pv.User.ID), pv.User.ID, pv.User.Rows)
	p.line("Matched    %d rows match existing records", pv.Matched)
	if p.err != nil {
		return p.err
	}
	t := newTable(w)
	t.AppendHeader(table.Row{"Create", "Update", "Unchanged", "Delete", "Errors"})
	c := pv.Counts
	t.AppendRow(table.Row{c.Create, c.Update, c.Unchanged, c.Delete, c.Errors})
	t.Render()
	list := pv.Sample
	if rows {
		list = pv.Rows
	}
	if len(list) > 0 {
		t := newTable(w)
		t.AppendHeader(table.Row{"Row", "Action", "Record", "Field", "Old", "New"})
		t.SetColumnConfigs([]table.ColumnConfig{{Number: 5, WidthMax: 30, WidthMaxEnforcer: text.WrapSoft}, {Number: 6, WidthMax: 30, WidthMaxEnforcer: text.WrapSoft}})
		for _, r := range list {
			if len(r.Changes) == 0 {
				t.AppendRow(table.Row{r.Row, r.Action, r.ID, "", "", ""})
			}
			for _, ch := range r.Changes {
				t.AppendRow(table.Row{r.Row, r.Action, r.ID, ch.Field, ch.Old, ch.New})
			}
		}
		t.Render()
	}
	if rows && pv.NextOffset != nil {
		fmt.Fprintf(w, "Rows %d of %d; more: crmimport preview %s --rows --offset %d\n", len(pv.Rows), pv.Total, id, *pv.NextOffset)
	}
	_, err := fmt.Fprintf(w, "Decide: crmimport decide %s import|skip|import-all|back\n", id)
	return err
}

// decisions are the words decide takes.
var decisions = []string{apiclient.DecideImport, apiclient.DecideSkip, apiclient.DecideImportAll, apiclient.DecideBack}

func newDecideCommand(g *globals) *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "decide ID import|skip|import-all|back",
		Short: "Decide on the preview of the user in turn",
		Long: `Decide answers the preview of the user in turn: import their rows, skip
them, import them and every remaining user without more previews
(import-all), or go back: nothing more is applied, and "crmimport resume"
goes on with other settings or stops the import.`,
		Args:      cobra.ExactArgs(2),
		ValidArgs: decisions,
	}
	cmd.Flags().StringVar(&user, "user", "", "the user (id) the decision is for; refused unless it is the one in turn")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		d := args[1]
		known := false
		for _, k := range decisions {
			known = known || d == k
		}
		if !known {
			return &exitError{code: ExitFailure, err: fmt.Errorf("%q is not a decision: say %s", d, joinOr(decisions))}
		}
		im, err := a.client.Decide(cmd.Context(), args[0], apiclient.Decision{Decision: d, User: user})
		if err != nil {
			return err
		}
		return a.print(cmd, im, func() error { return printImport(cmd.OutOrStdout(), im) })
	})
}

func newResumeCommand(g *globals) *cobra.Command {
	var configName, configFile string
	var stop bool
	cmd := &cobra.Command{
		Use:   "resume ID --config NAME | --config-file F | --stop",
		Short: "After back: go on with the remaining users under other settings, or stop",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&configName, "config", "", "a saved configuration to go on with")
	cmd.Flags().StringVar(&configFile, "config-file", "", "a configuration file (JSON) to go on with")
	cmd.Flags().BoolVar(&stop, "stop", false, "end the import here (STOPPED), keeping what was applied")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		given := 0
		for _, b := range []bool{configName != "", configFile != "", stop} {
			if b {
				given++
			}
		}
		if given > 1 {
			return &exitError{code: ExitFailure, err: errors.New("give one of --config, --config-file and --stop")}
		}
		r := apiclient.Resume{Action: "continue", Config: configName}
		if stop {
			r = apiclient.Resume{Action: "stop"}
		}
		if configFile != "" {
			raw, err := os.ReadFile(configFile)
			if err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			r.InlineConfig = raw
		}
		im, err := a.client.Resume(cmd.Context(), args[0], r)
		if err != nil {
			return err
		}
		return a.print(cmd, im, func() error { return printImport(cmd.OutOrStdout(), im) })
	})
}

func newResultsCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "results ID",
		Short: "Show each decided user's result so far",
		Args:  cobra.ExactArgs(1),
	}
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		rs, err := a.client.Results(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return a.print(cmd, map[string]any{"users": nonNilSlice(rs)}, func() error {
			t := newTable(cmd.OutOrStdout())
			// The status first: an excluded or skipped user's zero counts
			// mean something else than an imported one's.
			t.AppendHeader(append(table.Row{"Status"}, userCountsHeader...))
			for _, r := range rs {
				t.AppendRow(append(table.Row{r.Status}, userCountsRow(r.User.ID, r.User.Email, r.User.Rows, r.Counts)...))
			}
			t.Render()
			return nil
		})
	})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// joinOr lists words for a message: "a, b or c".
func joinOr(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
