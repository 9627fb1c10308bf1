package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/sheet"
)

type checkFlags struct {
	entity, config, encoding, delimiter, sheet, locale string
	json                                               bool
	preview                                            int
}

func newCheckCommand(stdout io.Writer) *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a file offline, exactly as the import will validate it",
		Long: `Check reads FILE (CSV, XLSX or ODS), maps its columns to the fields of the
entity and validates every value, with the same code the import pipeline runs.

Exit status: 0 the file is clean, 1 some rows have errors, 2 the file is
refused as a whole, 3 wrong usage or a bad configuration.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd, args[0], fl, stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.entity, "entity", "", "what the file holds: customers, contacts, companies, leads, deals, products, tasks, appointments, notes, visit_reports, users")
	f.StringVar(&fl.config, "config", "", "import configuration (JSON, version 1)")
	f.StringVar(&fl.encoding, "encoding", "", "text encoding of a CSV file, e.g. utf-8, windows-1252, windows-1250, iso-8859-2, utf-16le (default: detect); a file this encoding reads as mojibake is refused, naming a cell")
	f.StringVar(&fl.delimiter, "delimiter", "", `CSV separator: "," ";" "tab" or "|" (default: detect)`)
	f.StringVar(&fl.sheet, "sheet", "", "the sheet of a workbook to read (needed when several hold data)")
	f.StringVar(&fl.locale, "locale", "", "how dates and numbers are written, e.g. de-DE, pt-BR, pl-PL, en-US (default: the configuration's; without one, each column is read as its values show, a \";\" CSV with a decimal comma, else as en-US); it also tells a Central European CSV encoding from a Western one")
	f.BoolVar(&fl.json, "json", false, "print the report as JSON")
	f.IntVar(&fl.preview, "preview", 3, "show the values of the first N rows as they will be stored")
	return cmd
}

func runCheck(cmd *cobra.Command, path string, fl checkFlags, stdout io.Writer) error {
	if fl.entity == "" && fl.config == "" {
		return &exitError{code: ExitFailure, err: errors.New("say what the file holds with --entity (or give --config)")}
	}
	delimiter := fl.delimiter
	if delimiter == "tab" {
		delimiter = "\t"
	}
	opts := check.Options{Entity: fl.entity, Locale: fl.locale,
		Sheet: sheet.Options{Encoding: fl.encoding, Delimiter: delimiter, Sheet: fl.sheet}}
	cfg, err := loadConfig(fl.config, opts)
	if err != nil {
		return &exitError{code: ExitFailure, err: err}
	}
	if fl.config != "" {
		// Without one, the check may recognise another CRM's export and
		// read it with that export's preset, as an import would.
		opts.Config = cfg
	}

	var preview []crm.Row
	rep, err := check.Run(cmd.Context(), path, opts, func(r crm.Row) error {
		if len(preview) < fl.preview {
			preview = append(preview, r)
		}
		return nil
	})
	if err != nil {
		code := checkExit(err)
		switch {
		case code == ExitRefused && fl.json:
			if err := writeJSON(stdout, map[string]any{"refused": true, "reason": crm.Message(err)}); err != nil {
				return err
			}
			return &exitError{code: code}
		case code == ExitRefused:
			return &exitError{code: code, err: fmt.Errorf("the file is refused: %s", crm.Message(err))}
		}
		return &exitError{code: code, err: err}
	}

	if fl.json {
		// Everything the text report shows: the report (rows per agent in
		// assignees) and the preview rows.
		err = writeJSON(stdout, struct {
			*check.Report
			Preview []crm.Row `json:"preview"`
		}{rep, nonNilSlice(preview)})
	} else {
		err = printReport(stdout, path, rep, preview)
	}
	if err != nil {
		return err
	}
	if rep.RowsWithErrors > 0 {
		return &exitError{code: ExitRowErrors}
	}
	return nil
}

// loadConfig reads the --config file, if any, and resolves it with
// --entity and --locale as the check will: every problem of the
// configuration is found here, before the file is read.
func loadConfig(path string, opts check.Options) (*config.Config, error) {
	if path != "" {
		cfg, err := config.LoadFile(path)
		if err != nil {
			return nil, err
		}
		opts.Config = cfg
	}
	return opts.Configuration()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printReport(w io.Writer, path string, rep *check.Report, preview []crm.Row) error {
	p := &printer{w: w}
	p.line("File       %s", path)
	p.line("Format     %s", rep.File.Format)
	if rep.File.Format == "csv" {
		p.line("Encoding   %s", rep.File.Encoding)
		p.line("Delimiter  %s", delimiterName(rep.File.Delimiter))
	} else if len(rep.File.Sheets) > 1 {
		p.line("Sheet      %s (the workbook has %s)", rep.File.Sheet, sheet.QuoteNames(rep.File.Sheets))
	} else {
		p.line("Sheet      %s", rep.File.Sheet)
	}
	p.line("Entity     %s", rep.Entity)
	switch {
	case rep.LocaleConfigured:
		p.line("Locale     %s", rep.Locale)
	case rep.LocaleFromTitles != "":
		p.line("Locale     %s (%s, with --locale; numbers and dates are read as each column's values show)", rep.Locale, rep.LocaleNote())
	default:
		p.line("Locale     %s (not configured: numbers and dates are read as each column's values show; choose one with --locale)", rep.Locale)
	}
	p.line("Rows       %d", rep.Rows)
	p.line("")

	p.line("Mapping")
	t := newTable(w)
	t.AppendHeader(table.Row{"Column", "Title", "Field", "How"})
	for _, c := range rep.Mapping {
		field := c.Field
		if field == "" {
			field = "-"
		}
		t.AppendRow(table.Row{sheet.ColumnName(c.Index + 1), c.Title, field, c.How})
	}
	t.Render()
	if len(rep.Unmapped) > 0 {
		p.line("Unmapped columns (not imported): %s", sheet.QuoteNames(rep.Unmapped))
	}
	if rep.Preset != "" {
		p.line("Preset: %s", rep.Preset)
	}
	for _, w := range rep.Warnings {
		p.line("Warning: %s", w)
	}
	if len(rep.Missing) > 0 {
		p.line("Required fields without a column: %s (rows that create a record will need them)", strings.Join(rep.Missing, ", "))
	}
	p.line("")

	if len(preview) > 0 {
		p.line("Preview: the values as they will be stored")
		printPreview(w, rep, preview)
		p.line("")
	}

	if rep.AssignmentColumn != "" {
		p.line("Assignment column %q", rep.AssignmentColumn)
		t := newTable(w)
		t.AppendHeader(table.Row{"Value", "Rows"})
		for _, a := range sortedAssignees(rep.Assignees) {
			v := a.value
			if v == "" {
				v = "(empty)"
			}
			t.AppendRow(table.Row{v, a.rows})
		}
		if rep.OtherAssignees > 0 {
			t.AppendRow(table.Row{"(other values)", rep.OtherAssignees})
		}
		t.Render()
		p.line("")
	}

	if rep.ErrorCount > 0 {
		p.line("Row errors")
		t := newTable(w)
		t.AppendHeader(table.Row{"Row", "Column", "Value", "Reason"})
		t.SetColumnConfigs([]table.ColumnConfig{
			{Number: 3, WidthMax: 40, WidthMaxEnforcer: text.WrapHard},
			{Number: 4, WidthMax: 70, WidthMaxEnforcer: text.WrapSoft},
		})
		for _, e := range rep.Errors {
			t.AppendRow(table.Row{e.Row, e.Column, e.Value, e.Reason})
		}
		t.Render()
		if rep.ErrorCount > len(rep.Errors) {
			p.line("... and %d more errors", rep.ErrorCount-len(rep.Errors))
		}
		p.line("%d of %d rows have errors and would not be imported.", rep.RowsWithErrors, rep.Rows)
	} else {
		if rep.Rows == 1 {
			p.line("No errors: the 1 row can be imported.")
		} else {
			p.line("No errors: all %d rows can be imported.", rep.Rows)
		}
	}
	return p.err
}

// printPreview shows one line per mapped field and one column per row, so
// that a few rows of a wide file stay readable.
func printPreview(w io.Writer, rep *check.Report, preview []crm.Row) {
	t := newTable(w)
	header := table.Row{"Field"}
	for _, r := range preview {
		header = append(header, fmt.Sprintf("Row %d", r.Number))
	}
	t.AppendHeader(header)
	for _, c := range rep.Mapping {
		if c.Field == "" {
			continue
		}
		line := table.Row{c.Field}
		for _, r := range preview {
			line = append(line, r.Fields[c.Field])
		}
		t.AppendRow(line)
	}
	configs := make([]table.ColumnConfig, len(preview))
	for i := range preview {
		configs[i] = table.ColumnConfig{Number: i + 2, WidthMax: 30, WidthMaxEnforcer: text.WrapHard}
	}
	t.SetColumnConfigs(configs)
	t.Render()
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func newTable(w io.Writer) table.Writer {
	t := table.NewWriter()
	t.SetOutputMirror(w)
	t.SetStyle(table.StyleLight)
	return t
}

type assignee struct {
	value string
	rows  int
}

func sortedAssignees(m map[string]int) []assignee {
	list := make([]assignee, 0, len(m))
	for v, n := range m {
		list = append(list, assignee{v, n})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].rows != list[j].rows {
			return list[i].rows > list[j].rows
		}
		return list[i].value < list[j].value
	})
	return list
}

func delimiterName(d string) string {
	switch d {
	case "\t":
		return "tab"
	case "":
		return "-"
	}
	return d
}
