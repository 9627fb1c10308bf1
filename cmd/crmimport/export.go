package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

func newExportCommand(g *globals) *cobra.Command {
	var o apiclient.ExportOptions
	var out string
	cmd := &cobra.Command{
		Use:   "export ENTITY [--user U] [--format csv|xlsx|ods] [--lang L] [-o FILE]",
		Short: "Export the CRM's records of an entity, to edit and upload again",
		Long: `Export writes the records of an entity (every user's, or one user's with
--user; a user exports their own) to FILE, by default the name the export
gives it. Its first column is each record's own id: edit the file and upload
it again (crmimport upload FILE --entity ENTITY) and the records it names are
updated, with no configuration to choose.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&o.User, "user", "", "only this user's records (id or e-mail)")
	cmd.Flags().StringVar(&o.Format, "format", "xlsx", "csv, xlsx or ods")
	cmd.Flags().StringVar(&o.Lang, "lang", "", "the language of the column titles: en (default), de, fr, it, es, pt, pl or sv")
	cmd.Flags().StringVar(&o.Config, "config", "", "a saved configuration whose added fields are exported too")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the file to write (default: the export's own name, here)")
	return clientCommand(g, cmd, func(cmd *cobra.Command, a *app, args []string) error {
		e, err := a.client.Export(cmd.Context(), args[0], o)
		if err != nil {
			return err
		}
		if out == "" {
			out = e.FileName
		}
		f, err := os.Create(out)
		if err != nil {
			return &exitError{code: ExitFailure, err: err}
		}
		n, err := a.client.DownloadExport(cmd.Context(), e, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
			return &exitError{code: ExitFailure, err: err}
		}
		return a.print(cmd, map[string]any{"file": out, "records": e.Records, "users": e.Users, "bytes": n}, func() error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s: %s of %s (%d bytes)\n", out, plural(e.Records, "record"), plural(e.Users, "user"), n)
			return err
		})
	})
}

// plural says n things: "1 record", "12 records".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
