package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/crm"
)

// Exit codes of crmimport.
const (
	ExitOK        = 0 // the file is clean
	ExitRowErrors = 1 // some rows have errors; the others can be imported
	ExitRefused   = 2 // the file cannot be imported at all
	ExitFailure   = 3 // wrong usage, a bad configuration, a bad request, or the tool itself failed

	// Commands of the API.
	ExitNotSignedIn  = 4 // not signed in, or the session has expired (401): run crmimport login
	ExitNotFound     = 5 // no such import, user or configuration in the tenant (404)
	ExitConflict     = 6 // the import is not in a state that allows it (409): still running, not waiting for this
	ExitForbidden    = 7 // the user's role does not allow it (403)
	ExitImportFailed = 8 // status --watch: the import ended FAILED or EXPIRED
)

// exitCodes documents the exit codes in the root command's help.
const exitCodes = `Exit status:
  0  done (check: the file is clean)
  1  check: some rows have errors
  2  check: the file is refused as a whole
  3  wrong usage, a bad configuration or request, or the tool failed
  4  not signed in, or the session has expired: run crmimport login (401)
  5  not found: no such import, user or configuration in your tenant (404)
  6  conflict: the import's state does not allow it now (409)
  7  not allowed for your role (403)
  8  status --watch: the import ended FAILED or EXPIRED`

// checkExit is the exit code of an error of checking a file whose
// configuration has loaded: a file refused as a whole (crm.Invalid or
// crm.Refused) is ExitRefused, anything else (a path that names no file,
// the tool failing) ExitFailure. A configuration that does not load is
// ExitFailure whatever its kind: the caller tells it apart by where the
// error came from.
func checkExit(err error) int {
	switch crm.KindOf(err) {
	case crm.Invalid, crm.Refused:
		return ExitRefused
	}
	return ExitFailure
}

// exitError carries the exit code a command ends with.
type exitError struct {
	code int
	err  error // printed on stderr when set
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// Run runs crmimport with args (without the program name) and returns its
// exit code. Tests call it as main does.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return RunWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// RunWithInput is Run reading standard input from stdin (a password
// given with --password-stdin).
func RunWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "crmimport",
		Short: "Check files for the CRM import, import them and follow the import",
		Long: `crmimport checks files offline exactly as the import will (check, template),
and is the client of the tenant's import API: login, upload, imports,
status, report, users, select, preview, decide, resume, results, summary,
errors, duplicates, config, undo.

` + exitCodes,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	g := &globals{}
	root.PersistentFlags().StringVar(&g.apiURL, "api-url", "", "the API's URL (env CRMIMPORT_API_URL; default: the profile's)")
	root.PersistentFlags().StringVar(&g.profile, "profile", "", "the profile of the config file to use (env CRMIMPORT_PROFILE; default: default)")
	root.AddCommand(newCheckCommand(stdout), newTemplateCommand(stdout),
		newLoginCommand(g, stdin), newUploadCommand(g), newImportsCommand(g), newStatusCommand(g), newReportCommand(g),
		newUsersCommand(g), newSelectCommand(g), newPreviewCommand(g), newDecideCommand(g), newResumeCommand(g),
		newResultsCommand(g), newSummaryCommand(g), newErrorsCommand(g), newConfigCommand(g), newUndoCommand(g),
		newRestorePointsCommand(g), newDuplicatesCommand(g))

	err := root.ExecuteContext(ctx)
	var exit *exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		if exit.err != nil {
			fmt.Fprintf(stderr, "crmimport: %v\n", exit.err)
		}
		return exit.code
	default:
		fmt.Fprintf(stderr, "crmimport: %v\n", err)
		return ExitFailure
	}
}
