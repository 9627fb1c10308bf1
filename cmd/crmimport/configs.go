package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

func newConfigCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config list|get|put|delete|download|upload",
		Short: "The tenant's saved import configurations",
		Long: `Config lists, shows, saves, deletes, downloads and uploads the tenant's saved
import configurations. Every user of the tenant may read them; only
administrators and supervisors may change them (others exit 7).`,
	}
	list := &cobra.Command{Use: "list", Short: "List the saved configurations", Args: cobra.NoArgs}
	get := &cobra.Command{Use: "get NAME", Short: "Print a saved configuration's JSON", Args: cobra.ExactArgs(1)}
	put := &cobra.Command{Use: "put NAME FILE", Short: "Save FILE (JSON) as the configuration NAME, checked as check --config checks it", Args: cobra.ExactArgs(2)}
	upload := &cobra.Command{Use: "upload FILE [NAME]", Short: "Save FILE as a configuration named NAME (default: the file's name without .json)", Args: cobra.RangeArgs(1, 2)}
	del := &cobra.Command{Use: "delete NAME", Short: "Delete a saved configuration", Args: cobra.ExactArgs(1)}
	var out string
	download := &cobra.Command{Use: "download NAME [-o FILE]", Short: "Download a saved configuration as a file (default: NAME.json)", Args: cobra.ExactArgs(1)}
	download.Flags().StringVarP(&out, "output", "o", "", "the file to write (default: the name the API gives, NAME.json; - for standard output)")

	cmd.AddCommand(
		clientCommand(g, list, func(cmd *cobra.Command, a *app, _ []string) error {
			cs, err := a.client.Configs(cmd.Context())
			if err != nil {
				return err
			}
			return a.print(cmd, map[string]any{"configs": nonNilSlice(cs)}, func() error {
				if len(cs) == 0 {
					_, err := fmt.Fprintln(cmd.OutOrStdout(), "No saved configurations.")
					return err
				}
				t := newTable(cmd.OutOrStdout())
				t.AppendHeader(table.Row{"Name", "Entity", "Mode"})
				for _, c := range cs {
					t.AppendRow(table.Row{c.Name, c.Entity, c.Mode})
				}
				t.Render()
				return nil
			})
		}),
		clientCommand(g, get, func(cmd *cobra.Command, a *app, args []string) error {
			raw, err := a.client.Config(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(withNewline(raw))
			return err
		}),
		clientCommand(g, put, func(cmd *cobra.Command, a *app, args []string) error {
			return putConfig(cmd, a, args[0], args[1])
		}),
		clientCommand(g, upload, func(cmd *cobra.Command, a *app, args []string) error {
			name := configNameOfFile(args[0])
			if len(args) == 2 {
				name = args[1]
			}
			return putConfig(cmd, a, name, args[0])
		}),
		clientCommand(g, del, func(cmd *cobra.Command, a *app, args []string) error {
			if err := a.client.DeleteConfig(cmd.Context(), args[0]); err != nil {
				return err
			}
			return a.print(cmd, map[string]any{"name": args[0], "deleted": true}, func() error {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Deleted %s\n", args[0])
				return err
			})
		}),
		clientCommand(g, download, func(cmd *cobra.Command, a *app, args []string) error {
			var buf bytes.Buffer
			name, err := a.client.DownloadConfig(cmd.Context(), args[0], &buf)
			if routeMissing(err) {
				// An API without the download route (before issue 8's
				// upload slice) serves the same bytes at GET /configs/{name}.
				buf.Reset()
				var raw []byte
				raw, err = a.client.Config(cmd.Context(), args[0])
				buf.Write(raw)
			}
			if err != nil {
				return err
			}
			path := first(out, name, args[0]+".json")
			if path == "-" {
				_, err := cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			return a.print(cmd, map[string]any{"name": args[0], "file": path, "bytes": buf.Len()}, func() error {
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s\n", path)
				return err
			})
		}),
	)
	return cmd
}

func putConfig(cmd *cobra.Command, a *app, name, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return &exitError{code: ExitFailure, err: err}
	}
	if err := a.client.PutConfig(cmd.Context(), name, raw); err != nil {
		return err
	}
	return a.print(cmd, map[string]any{"name": name}, func() error {
		_, err := fmt.Fprintf(cmd.OutOrStdout(), "Saved %s\n", name)
		return err
	})
}

// routeMissing tells an API that has no such route (API Gateway's 404,
// which has no code) from a configuration that does not exist (the API's
// 404, "not_found").
func routeMissing(err error) bool {
	var e *apiclient.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code == ""
}

func configNameOfFile(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".json")
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b, '\n')
	}
	return b
}
