package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/sheet"
)

func newUploadCommand(g *globals) *cobra.Command {
	var entity, configName, configFile string
	cmd := &cobra.Command{
		Use:   "upload FILE --entity E [--config NAME | --config-file F]",
		Short: "Upload a file to import; prints the import's id",
		Long: `Upload creates an import of FILE (CSV, XLSX or ODS) for the entity, with a
saved configuration (--config), one from a file (--config-file) or the
entity's defaults, and sends the file, showing its progress. It prints the
import's id; follow it with "crmimport status ID --watch".`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&entity, "entity", "", "what the file holds: customers, contacts, companies, deals, users...")
	cmd.Flags().StringVar(&configName, "config", "", "a saved configuration's name (crmimport config list)")
	cmd.Flags().StringVar(&configFile, "config-file", "", "a configuration file (JSON) to import with")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		path := args[0]
		if entity == "" {
			return &exitError{code: ExitFailure, err: errors.New("say what the file holds with --entity")}
		}
		if configName != "" && configFile != "" {
			return &exitError{code: ExitFailure, err: errors.New("give --config or --config-file, not both")}
		}
		info, err := os.Stat(path)
		if err != nil {
			return &exitError{code: ExitFailure, err: err}
		}
		in := apiclient.NewImport{Entity: entity, Config: configName, FileName: filepath.Base(path), Size: info.Size()}
		if configFile != "" {
			raw, cfg, err := readConfigArg(configFile)
			if err != nil {
				return err
			}
			if cfg.Entity != entity {
				return &exitError{code: ExitFailure, err: fmt.Errorf("the configuration file %s imports %s, not %s: give --entity %s, or another file", configFile, cfg.Entity, entity, cfg.Entity)}
			}
			in.InlineConfig = raw
		}
		created, err := a.client.CreateImport(cmd.Context(), in)
		if err != nil {
			return err
		}
		bar := progressbar.NewOptions64(info.Size(), progressbar.OptionSetWriter(cmd.ErrOrStderr()), barVisibility(cmd),
			progressbar.OptionSetDescription("uploading "+in.FileName), progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		err = a.client.Upload(cmd.Context(), created.Upload, path, func(done, _ int64) { _ = bar.Set64(done) })
		_ = bar.Finish()
		if err != nil {
			return fmt.Errorf("import %s: %w", created.Import.ID, err)
		}
		return a.print(cmd, created.Import, func() error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), created.Import.ID)
			return err
		})
	})
}

func newImportsCommand(g *globals) *cobra.Command {
	var limit int
	var all bool
	var next string
	cmd := &cobra.Command{
		Use:   "imports",
		Short: "List the tenant's imports, newest first",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "imports per page (default: the API's, 50)")
	cmd.Flags().StringVar(&next, "next", "", "the page after this one (the \"next\" of --json)")
	cmd.Flags().BoolVar(&all, "all", false, "every page")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, _ []string) error {
		var list apiclient.ImportList
		var err error
		if all {
			list.Imports, err = a.client.AllImports(cmd.Context())
		} else {
			list, err = a.client.Imports(cmd.Context(), limit, next)
		}
		if err != nil {
			return err
		}
		if list.Imports == nil {
			list.Imports = []apiclient.Import{}
		}
		return a.print(cmd, list, func() error {
			w := cmd.OutOrStdout()
			if len(list.Imports) == 0 {
				_, err := fmt.Fprintln(w, "No imports yet.")
				return err
			}
			t := newTable(w)
			t.AppendHeader(table.Row{"ID", "Entity", "File", "Status", "Rows", "Done", "Created", "Updated", "Errors", "Started"})
			for _, im := range list.Imports {
				t.AppendRow(table.Row{im.ID, im.Entity, im.File, im.Status, im.Counts.Rows, progress(im), im.Counts.Created, im.Counts.Updated, im.Counts.Invalid + im.Counts.Failed, when(im.CreatedAt)})
			}
			t.Render()
			if list.Next != "" {
				fmt.Fprintf(w, "More: crmimport imports --next %s\n", list.Next)
			}
			return nil
		})
	})
}

func newStatusCommand(g *globals) *cobra.Command {
	var watch bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "status ID [--watch]",
		Short: "Show an import's status; --watch follows it until it ends or waits for you",
		Long: `Status shows one import: its status, rows applied of the total, counts,
reason and what it waits for. With --watch it shows a progress bar of the
rows applied until the import ends or waits for the tenant (a selection, a
decision), and exits 0 when it succeeded, was stopped or waits, 8 when it
failed or expired.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&watch, "watch", false, "follow the import until it ends or waits for you")
	cmd.Flags().DurationVar(&interval, "interval", 2*time.Second, "how often --watch asks")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		im, err := a.client.Import(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if watch {
			if im, err = watchImport(cmd, a, im, interval); err != nil {
				return err
			}
		}
		if err := a.print(cmd, im, func() error { return printImport(cmd.OutOrStdout(), im) }); err != nil {
			return err
		}
		if watch && (im.Status == crm.Failed || im.Status == crm.Expired) {
			return &exitError{code: ExitImportFailed}
		}
		return nil
	})
}

// watchImport asks for the import every interval, showing the rows
// applied, until it ends or waits for the tenant.
func watchImport(cmd *cobra.Command, a *app, im apiclient.Import, interval time.Duration) (apiclient.Import, error) {
	bar := progressbar.NewOptions64(int64(max(im.Total, 1)), progressbar.OptionSetWriter(cmd.ErrOrStderr()), barVisibility(cmd),
		progressbar.OptionShowCount(), progressbar.OptionSetDescription(string(im.Status)),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	defer bar.Finish()
	show := func() {
		if im.Total > 0 {
			bar.ChangeMax64(int64(im.Total))
		}
		bar.Describe(string(im.Status))
		_ = bar.Set64(int64(im.Done))
	}
	for show(); !apiclient.Ended(im.Status) && im.Status != crm.Waiting; show() {
		select {
		case <-cmd.Context().Done():
			return im, cmd.Context().Err()
		case <-time.After(interval):
		}
		var err error
		if im, err = a.client.Import(cmd.Context(), im.ID); err != nil {
			return im, err
		}
	}
	return im, nil
}

func printImport(w io.Writer, im apiclient.Import) error {
	p := &printer{w: w}
	p.line("Import     %s", im.ID)
	p.line("Entity     %s", im.Entity)
	p.line("File       %s", im.File)
	p.line("Status     %s", im.Status)
	if im.Reason != "" {
		p.line("Reason     %s", im.Reason)
	}
	if im.Waiting != nil {
		p.line("Waits for  %s", waitingFor(*im.Waiting))
	}
	for _, q := range im.QueuedBehind {
		p.line("Queued     %s", queuedBehind(q))
	}
	p.line("Applied    %s rows", progress(im))
	p.line("Users      %d", im.Users)
	p.line("Started    %s", when(im.CreatedAt))
	if !im.FinishedAt.IsZero() {
		p.line("Finished   %s", when(im.FinishedAt))
	}
	if rp := im.RestorePoint; rp != nil && !rp.Time.IsZero() {
		p.line("Restore    a restore point of %s (crmimport restore-points)", when(rp.Time))
	}
	if u := im.Undone; u != nil {
		p.line("Undone     %s by %s: %d deleted, %d put back, %d changed since and left alone", when(u.At), first(u.By, "an administrator"), u.Deleted, u.Restored, u.Conflicts)
	}
	if p.err != nil {
		return p.err
	}
	return printCounts(w, im.Counts)
}

// queuedBehind says, in words, which import the import waits for.
func queuedBehind(q apiclient.Queued) string {
	if q.User == "" {
		if q.RunningImports > 0 {
			return fmt.Sprintf("waits for one of your %d running imports to end (import %s is one)", q.RunningImports, q.Import)
		}
		return fmt.Sprintf("waits for one of your running imports to end (import %s is one)", q.Import)
	}
	return fmt.Sprintf("waits for import %s to finish with %s's records", q.Import, first(q.Email, q.User))
}

func waitingFor(wt apiclient.Waiting) string {
	s := wt.For
	switch wt.For {
	case apiclient.ForSelection:
		s = "the selection of users (crmimport users ID, crmimport select ID)"
	case apiclient.ForDecision:
		s = "a decision (crmimport preview ID, crmimport decide ID ...)"
		if wt.User != nil {
			s = fmt.Sprintf("a decision on %s's %d rows (crmimport preview ID, crmimport decide ID ...)", first(userLabel(wt.User.ID, wt.User.Email), wt.User.ID), wt.User.Rows)
		}
	case apiclient.ForResume:
		s = "what to do after back (crmimport resume ID --config NAME, or --stop)"
	}
	if !wt.ExpiresAt.IsZero() {
		s += ", until " + when(wt.ExpiresAt)
	}
	return s
}

func printCounts(w io.Writer, c crm.Counts) error {
	t := newTable(w)
	t.AppendHeader(table.Row{"Rows", "Invalid", "Created", "Updated", "Unchanged", "Deleted", "Skipped", "Failed"})
	t.AppendRow(table.Row{c.Rows, c.Invalid, c.Created, c.Updated, c.Unchanged, c.Deleted, c.Skipped, c.Failed})
	t.Render()
	return nil
}

func progress(im apiclient.Import) string {
	if im.Total == 0 {
		return fmt.Sprintf("%d", im.Done)
	}
	return fmt.Sprintf("%d/%d", im.Done, im.Total)
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func newReportCommand(g *globals) *cobra.Command {
	var page apiclient.Page
	var all bool
	cmd := &cobra.Command{
		Use:   "report ID",
		Short: "Show an import's check report: format, mapping, warnings, row errors",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().IntVar(&page.Offset, "offset", 0, "the first row error to show")
	cmd.Flags().IntVar(&page.Limit, "limit", 0, "row errors per page (default: the API's, 100)")
	cmd.Flags().BoolVar(&all, "all", false, "every row error, page after page")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		rep, err := a.client.Report(cmd.Context(), args[0], page)
		if err != nil {
			return err
		}
		for all && rep.NextOffset != nil {
			more, err := a.client.Report(cmd.Context(), args[0], apiclient.Page{Offset: *rep.NextOffset, Limit: page.Limit})
			if err != nil {
				return err
			}
			rep.Errors, rep.NextOffset = append(rep.Errors, more.Errors...), more.NextOffset
		}
		return a.print(cmd, rep, func() error { return printAPIReport(cmd.OutOrStdout(), args[0], rep) })
	})
}

func printAPIReport(w io.Writer, id string, rep apiclient.Report) error {
	p := &printer{w: w}
	p.line("Import     %s", id)
	p.line("Format     %s", rep.Format)
	if rep.LocaleNote != "" {
		p.line("Locale     %s (%s)", rep.Locale, rep.LocaleNote)
	}
	if rep.Encoding != "" {
		p.line("Encoding   %s", rep.Encoding)
	}
	if rep.Delimiter != "" {
		p.line("Delimiter  %s", delimiterName(rep.Delimiter))
	}
	if rep.Sheet != "" {
		p.line("Sheet      %s", rep.Sheet)
	}
	p.line("Rows       %d, %d with errors", rep.Rows, rep.RowsWithErrors)
	if rep.Preset != "" {
		p.line("Preset     %s", rep.Preset)
	}
	for _, m := range rep.Missing {
		p.line("Missing    %s", m)
	}
	for _, u := range rep.Unmapped {
		p.line("Unmapped   %s", u)
	}
	for _, wn := range rep.Warnings {
		p.line("Warning    %s", wn)
	}
	if p.err != nil {
		return p.err
	}
	if len(rep.Mapping) > 0 {
		t := newTable(w)
		t.AppendHeader(table.Row{"Column", "Title", "Field", "How"})
		for _, c := range rep.Mapping {
			t.AppendRow(table.Row{sheet.ColumnName(c.Index + 1), c.Title, c.Field, c.How})
		}
		t.Render()
	}
	if len(rep.Errors) > 0 {
		t := newTable(w)
		t.AppendHeader(table.Row{"Row", "Column", "Value", "Reason"})
		t.SetColumnConfigs([]table.ColumnConfig{{Number: 3, WidthMax: 30, WidthMaxEnforcer: text.WrapHard}, {Number: 4, WidthMax: 60, WidthMaxEnforcer: text.WrapSoft}})
		for _, e := range rep.Errors {
			t.AppendRow(table.Row{e.Row, e.Column, e.Value, e.Reason})
		}
		t.Render()
		if rep.NextOffset != nil {
			fmt.Fprintf(w, "Row errors %d-%d of %d; more: crmimport report %s --offset %d (or --all)\n", rep.Offset+1, rep.Offset+len(rep.Errors), rep.Total, id, *rep.NextOffset)
		}
	}
	return nil
}

// barVisibility shows progress bars on a terminal only: in a script's log
// or a CI run their redrawn lines are noise.
func barVisibility(cmd *cobra.Command) progressbar.Option {
	return progressbar.OptionSetVisibility(showBars(cmd.ErrOrStderr()))
}

// showBars says whether bars go to w; tests, which write to buffers, set it.
var showBars = isTerminal
