package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/template"
)

func newTemplateCommand(stdout io.Writer) *cobra.Command {
	var entity, lang, output, configPath string
	cmd := &cobra.Command{
		Use:   "template --entity E > template.xlsx",
		Short: "Write the XLSX template of an entity: its columns, required ones marked, one example row",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var (
				required []string
				cfg      *config.Config
				err      error
			)
			if configPath != "" {
				if cfg, err = config.LoadFile(configPath); err != nil {
					return &exitError{code: ExitFailure, err: err}
				}
				if entity == "" {
					entity = cfg.Entity
				}
				required = cfg.Required
			}
			if entity == "" {
				return &exitError{code: ExitFailure, err: errors.New("say which template with --entity, e.g. --entity customers")}
			}
			e, err := schema.Lookup(entity)
			if err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			if cfg != nil && cfg.Entity == e.Name {
				e, _ = cfg.Schema() // with the fields the configuration adds
			}
			if !knownLang(lang) {
				return &exitError{code: ExitFailure, err: fmt.Errorf("unknown language %q: choose en, de, fr, it, es, pt, pl or sv", lang)}
			}
			w := stdout
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return &exitError{code: ExitFailure, err: err}
				}
				defer f.Close()
				w = f
			} else if isTerminal(stdout) {
				return &exitError{code: ExitFailure, err: errors.New("the template is a binary XLSX file: redirect it to a file (> template.xlsx) or use --output")}
			}
			if err := template.Write(w, e, template.Options{Lang: schema.Lang(lang), Required: required}); err != nil {
				return err
			}
			if f, ok := w.(*os.File); ok && output != "" {
				return f.Close()
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&entity, "entity", "", "customers, contacts, companies, leads, deals, products, tasks, appointments, notes, visit_reports or users")
	cmd.Flags().StringVar(&lang, "lang", "en", "language of the column titles: en, de, fr, it, es, pt, pl or sv")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&configPath, "config", "", "import configuration whose required fields the template marks too")
	return cmd
}

func knownLang(lang string) bool {
	for _, l := range schema.Langs {
		if string(l) == lang && l != schema.Zoho {
			return true
		}
	}
	return false
}

// isTerminal says whether w is a terminal, where binary data would garble
// the screen. A character device is not enough: /dev/null is one too.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
