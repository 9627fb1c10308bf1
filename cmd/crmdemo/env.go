package main

import (
	"context"
	"errors"
	"fmt"

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
