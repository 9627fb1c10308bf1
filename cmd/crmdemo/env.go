package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/stack"
)

// stackFromEnv reads the stack as the functions do, from the same
// variables, and the state machine whose execution the demo follows.
func stackFromEnv(ctx context.Context) (*stack.Stack, error) {
	st, err := stack.FromEnv(ctx)
	if err == nil && st.StateMachineARN == "" {
		err = errors.New("STATE_MACHINE_ARN must be set")
	}
	if err != nil {
		return nil, fmt.Errorf("the stack's environment (`source .localcloud/env` after `infra/localcloud up` sets it): %w", err)
	}
	return st, nil
}

// demoLogin is how the demo reaches the API: its URL, the user pool's
// app client and the demo tenant's administrator, as infra/localcloud
// writes them to .localcloud/env.
type demoLogin struct {
	API            string
	Cognito        apiclient.Cognito
	User, Password string
}

func loginFromEnv() (demoLogin, error) {
	l := demoLogin{
		API:      os.Getenv("API_URL"),
		Cognito:  apiclient.Cognito{Region: os.Getenv("AWS_REGION"), UserPoolID: os.Getenv("USER_POOL_ID"), ClientID: os.Getenv("USER_POOL_CLIENT_ID")},
		User:     os.Getenv("DEMO_USER"),
		Password: os.Getenv("DEMO_PASSWORD"),
	}
	if l.API == "" || l.Cognito.ClientID == "" || l.User == "" || l.Password == "" {
		return l, errors.New("API_URL, USER_POOL_CLIENT_ID, DEMO_USER and DEMO_PASSWORD must be set (`source .localcloud/env` after `infra/localcloud up` sets them)")
	}
	return l, nil
}
