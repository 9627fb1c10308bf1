package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/crmimport/crm-import/internal/apiclient"
)

func newLoginCommand(g *globals, stdin io.Reader) *cobra.Command {
	var user string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to the API and keep the session in the config file",
		Long: `Login signs USER in to the API's user pool (Cognito, USER_PASSWORD_AUTH) and
keeps the tokens in the profile of the config file (readable by you only),
with the API's URL and the pool, so later commands need neither. A token
that has expired is renewed with the refresh token; when that has expired
too, log in again.

Settings, first found wins: --api-url and --profile; the environment
(CRMIMPORT_API_URL, CRMIMPORT_CLIENT_ID, CRMIMPORT_USER_POOL_ID,
CRMIMPORT_REGION, CRMIMPORT_PROFILE, then the local cloud's API_URL,
USER_POOL_CLIENT_ID, USER_POOL_ID, AWS_REGION, so "source .localcloud/env"
is enough); then the profile in the config file.

The password is asked for without echo, or read from standard input with
--password-stdin.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := loadSettings(*g)
			if err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			switch {
			case s.APIURL == "":
				return &exitError{code: ExitFailure, err: errors.New("the API's URL is not set: give --api-url or set CRMIMPORT_API_URL")}
			case s.Cognito.ClientID == "":
				return &exitError{code: ExitFailure, err: errors.New("the user pool's app client is not set: set CRMIMPORT_CLIENT_ID (the stack's UserPoolClientId output)")}
			}
			in := bufio.NewReader(stdin)
			user = first(user, s.User)
			if user == "" {
				if user, err = prompt(cmd, in, "User: "); err != nil {
					return &exitError{code: ExitFailure, err: err}
				}
			}
			password, err := readPassword(cmd, stdin, in, passwordStdin)
			if err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			tokens, err := apiclient.Login(cmd.Context(), s.Cognito, user, password)
			if err != nil {
				return apiFailed(err)
			}
			s.User, s.Tokens = user, &tokens
			if err := s.save(); err != nil {
				return &exitError{code: ExitFailure, err: err}
			}
			if g.json {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"user": user, "profile": s.name, "apiUrl": s.APIURL, "expiresAt": tokens.ExpiresAt})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "Signed in as %s (profile %s, %s)\n", user, s.name, s.APIURL)
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "the user name (e-mail) to sign in as (default: the profile's last, or asked for)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().BoolVar(&g.json, "json", false, "print the answer as JSON, for scripts")
	return cmd
}

func prompt(cmd *cobra.Command, in *bufio.Reader, label string) (string, error) {
	fmt.Fprint(cmd.ErrOrStderr(), label)
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no answer to %q on standard input", strings.TrimSpace(label))
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readPassword reads the password from standard input with
// --password-stdin, else from the terminal without echo.
func readPassword(cmd *cobra.Command, stdin io.Reader, in *bufio.Reader, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("--password-stdin: standard input is empty")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no terminal to ask for the password on: use --password-stdin")
	}
	fmt.Fprint(cmd.ErrOrStderr(), "Password: ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(cmd.ErrOrStderr())
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return string(pw), nil
}
