package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/crmimport/crm-import/internal/apiclient"
)

// exitOfAPI is the exit code of an error of the API: a missing or expired
// login (401), something missing (404), a conflict with the import's state
// (409), a refusal (403); anything else (a bad request, the service down,
// no network) is ExitFailure.
func exitOfAPI(err error) int {
	var e *apiclient.Error
	if !errors.As(err, &e) {
		return ExitFailure
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return ExitNotSignedIn
	case http.StatusNotFound:
		return ExitNotFound
	case http.StatusConflict:
		return ExitConflict
	case http.StatusForbidden:
		return ExitForbidden
	}
	return ExitFailure
}

// apiFailed wraps an error of the API in the exit code it ends with, its
// message in the tenant's words.
func apiFailed(err error) error {
	if err == nil {
		return nil
	}
	var exit *exitError
	if errors.As(err, &exit) {
		return err
	}
	code := exitOfAPI(err)
	if code == ExitNotSignedIn {
		err = fmt.Errorf("%w (run crmimport login)", err)
	}
	return &exitError{code: code, err: err}
}

// app is what a client command runs with: its settings and a client of
// the API signed in with the profile's tokens.
type app struct {
	settings
	client *apiclient.Client
	json   bool
}

// newApp resolves the settings and builds the client; a command of the
// API needs its URL and a login.
func newApp(g *globals) (*app, error) {
	s, err := loadSettings(*g)
	if err != nil {
		return nil, &exitError{code: ExitFailure, err: err}
	}
	if s.APIURL == "" {
		return nil, &exitError{code: ExitFailure, err: errors.New("the API's URL is not set: give --api-url, set CRMIMPORT_API_URL, or run crmimport login --api-url URL")}
	}
	if s.Tokens == nil {
		return nil, &exitError{code: ExitNotSignedIn, err: fmt.Errorf("not signed in (profile %s): run crmimport login", s.name)}
	}
	session := apiclient.NewSession(s.Cognito, *s.Tokens, func(t apiclient.Tokens) error {
		s.Tokens = &t
		return s.save()
	})
	a := &app{settings: s, json: g.json, client: &apiclient.Client{BaseURL: s.APIURL, Token: session.Token}}
	return a, nil
}

// clientCommand is a command of the API: it gets --json and runs with an
// app.
func clientCommand(g *globals, cmd *cobra.Command, run func(cmd *cobra.Command, a *app, args []string) error) *cobra.Command {
	cmd.Flags().BoolVar(&g.json, "json", false, "print the answer as JSON, for scripts")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		a, err := newApp(g)
		if err != nil {
			return err
		}
		return apiFailed(run(cmd, a, args))
	}
	return cmd
}

// print writes v as JSON with --json, else calls human.
func (a *app) print(cmd *cobra.Command, v any, human func() error) error {
	if a.json {
		return writeJSON(cmd.OutOrStdout(), v)
	}
	return human()
}
