package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
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
				t.AppendRow(table.Row{u.ID, userLabel(u.ID, u.Email), u.Name, u.Rows, u.Status})
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
			return withHint(err, http.StatusConflict, previewHint(cmd, a, args[0]))
		}
		// decide answers the preview shown: remember whose it is.
		if err := a.rememberPreview(args[0], pv.User.ID); err != nil {
			return &exitError{code: ExitFailure, err: fmt.Errorf("the preview of %s is not remembered for crmimport decide: %w", userLabel(pv.User.ID, pv.User.Email), err)}
		}
		return a.print(cmd, pv, func() error { return printPreviewOf(cmd.OutOrStdout(), args[0], pv, rows) })
	})
}

// previewHint is the command to run when an import has no preview to
// show: what it waits for says which.
func previewHint(cmd *cobra.Command, a *app, id string) string {
	im, err := a.client.Import(cmd.Context(), id)
	if err == nil && im.Waiting != nil {
		switch im.Waiting.For {
		case apiclient.ForSelection:
			return fmt.Sprintf("run crmimport users %s, then crmimport select %s", id, id)
		case apiclient.ForResume:
			return fmt.Sprintf("run crmimport resume %s --config NAME, --config-file F, --same or --stop", id)
		}
	}
	if err == nil && apiclient.Ended(im.Status) {
		return fmt.Sprintf("run crmimport results %s, or crmimport preview %s --user U", id, id)
	}
	return fmt.Sprintf("run crmimport status %s --watch, then crmimport preview %s", id, id)
}

// withHint adds the command to run to an error of the API with status:
// the API speaks for the browser page as well, and names no command.
func withHint(err error, status int, hint string) error {
	var e *apiclient.Error
	if hint == "" || !errors.As(err, &e) || e.Status != status {
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}

func printPreviewOf(w io.Writer, id string, pv apiclient.Preview, rows bool) error {
	p := &printer{w: w}
	p.line("User       %s (%s), %d rows", userLabel(pv.User.ID, pv.User.Email), pv.User.ID, pv.User.Rows)
	p.line("Matched    %d rows match existing records", pv.Matched)
	for _, u := range pv.Unresolved {
		names := "names none of your records"
		if u.Matches > 1 {
			names = fmt.Sprintf("names %d records", u.Matches)
		}
		p.line("Unlinked   %s %q %s: %d rows not imported", strings.ReplaceAll(u.Field, "_", " "), u.Value, names, u.Rows)
	}
	if p.err != nil {
		return p.err
	}
	t := newTable(w)
	// Skip: rows the mode leaves alone (update only, no match), so the
	// counts add up to the user's rows.
	t.AppendHeader(table.Row{"Create", "Update", "Unchanged", "Delete", "Skip", "Errors"})
	c := pv.Counts
	t.AppendRow(table.Row{c.Create, c.Update, c.Unchanged, c.Delete, c.Skip, c.Errors})
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
	cmd.Flags().StringVar(&user, "user", "", "the user (id or e-mail) the decision is for (default: the user of the preview shown last); refused unless it is the one in turn")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		id, d := args[0], args[1]
		known := false
		for _, k := range decisions {
			known = known || d == k
		}
		if !known {
			return &exitError{code: ExitFailure, err: fmt.Errorf("%q is not a decision: say %s", d, joinOr(decisions))}
		}
		if user == "" {
			user = a.Previewed[id].User
		}
		if user == "" {
			return &exitError{code: ExitFailure, err: fmt.Errorf("look at the preview first: crmimport preview %s (or name the user the decision is for with --user)", id)}
		}
		im, err := a.client.Decide(cmd.Context(), id, apiclient.Decision{Decision: d, User: user})
		if err != nil {
			return withHint(err, http.StatusConflict, decideHint(cmd, a, id))
		}
		return a.print(cmd, im, func() error { return printImport(cmd.OutOrStdout(), im) })
	})
}

// decideHint is the command to run after a decision the import did not
// take: the preview of the user in turn, when it waits for one.
func decideHint(cmd *cobra.Command, a *app, id string) string {
	im, err := a.client.Import(cmd.Context(), id)
	if err != nil || im.Waiting == nil {
		return fmt.Sprintf("run crmimport status %s --watch", id)
	}
	switch im.Waiting.For {
	case apiclient.ForSelection:
		return fmt.Sprintf("run crmimport users %s, then crmimport select %s", id, id)
	case apiclient.ForResume:
		return fmt.Sprintf("run crmimport resume %s --config NAME, --config-file F, --same or --stop", id)
	}
	return fmt.Sprintf("run crmimport preview %s, then decide", id)
}

func newResumeCommand(g *globals) *cobra.Command {
	var configName, configFile string
	var same, stop bool
	cmd := &cobra.Command{
		Use:   "resume ID --config NAME | --config-file F | --same | --stop",
		Short: "After back: go on with the remaining users under other settings or the same ones, or stop",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&configName, "config", "", "a saved configuration to go on with")
	cmd.Flags().StringVar(&configFile, "config-file", "", "a configuration file (JSON) to go on with")
	cmd.Flags().BoolVar(&same, "same", false, "go on with the settings as they are")
	cmd.Flags().BoolVar(&stop, "stop", false, "end the import here (STOPPED), keeping what was applied")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		given := 0
		for _, b := range []bool{configName != "", configFile != "", same, stop} {
			if b {
				given++
			}
		}
		// Going on under the old settings is a choice too: said, never
		// taken for a forgotten flag.
		const choices = "give one of --config, --config-file and --stop, or --same to go on with the settings as they are"
		switch given {
		case 0:
			return &exitError{code: ExitFailure, err: errors.New("say how the import goes on after back: " + choices)}
		case 1:
		default:
			return &exitError{code: ExitFailure, err: errors.New(choices + ", not several")}
		}
		r := apiclient.Resume{Action: "continue", Config: configName}
		if stop {
			r = apiclient.Resume{Action: "stop"}
		}
		if configFile != "" {
			raw, _, err := readConfigArg(configFile)
			if err != nil {
				return err
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
