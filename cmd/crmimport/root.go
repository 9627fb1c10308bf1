package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/crm"
)

// Exit codes of crmimport.
const (
	ExitOK        = 0 // the file is clean
	ExitRowErrors = 1 // some rows have errors; the others can be imported
	ExitRefused   = 2 // the file cannot be imported at all
	ExitFailure   = 3 // wrong usage, a bad configuration, or the tool itself failed
)

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
	root := &cobra.Command{
		Use:           "crmimport",
		Short:         "Check files for the CRM import and download templates",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newCheckCommand(stdout), newTemplateCommand(stdout))

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
