// Package workflow starts import workflows in AWS Step Functions and reads
// how their executions stand.
package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.Workflow = (*StateMachine)(nil)

// Client is the part of the Step Functions API the workflow uses.
type Client interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
}

// StateMachine is the deployed import workflow.
type StateMachine struct {
	client Client
	arn    string
}

// New returns the state machine with the given ARN.
func New(client Client, arn string) *StateMachine { return &StateMachine{client: client, arn: arn} }

// Start starts an execution named name. Execution names are unique per state
// machine, so a second start under the same name is reported as not started
// rather than as an error: that is how a repeated S3 event is absorbed.
func (m *StateMachine) Start(ctx context.Context, name string, input any) (bool, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return false, crm.Wrap(err, crm.Internal, "marshal input of %s", name)
	}
	in := string(body)
	_, err = m.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &m.arn, Name: &name, Input: &in})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return false, nil
	}
	if err != nil {
		return false, asFailure(fmt.Errorf("start execution %s: %w", name, err))
	}
	return true, nil
}

// Status returns where the execution named name stands. A name never
// started is NotFound (as is one whose history Step Functions no longer
// keeps, 90 days after it closed).
func (m *StateMachine) Status(ctx context.Context, name string) (crm.ExecutionStatus, error) {
	arn := m.executionARN(name)
	out, err := m.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	var missing *types.ExecutionDoesNotExist
	if errors.As(err, &missing) {
		return "", crm.Wrap(err, crm.NotFound, "import %s has no workflow execution", name)
	}
	if err != nil {
		return "", asFailure(fmt.Errorf("describe execution %s: %w", name, err))
	}
	return crm.ExecutionStatus(out.Status), nil
}

// executionARN is the ARN of the execution named name: the state machine's
// ARN with "execution" for "stateMachine" and the name appended, so the
// status of an import is read without listing executions.
func (m *StateMachine) executionARN(name string) string {
	return strings.Replace(m.arn, ":stateMachine:", ":execution:", 1) + ":" + name
}

// asFailure turns a Step Functions error into the domain's kinds: throttling
// and unreachable service are Unavailable (the trigger's message is then
// delivered again), anything else Internal.
func asFailure(err error) error {
	var api smithy.APIError
	throttled := errors.As(err, &api) && api.ErrorCode() == "ThrottlingException"
	if throttled || errors.Is(err, context.DeadlineExceeded) ||
		retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return crm.Wrap(err, crm.Unavailable, "the workflow service is busy")
	}
	return crm.Wrap(err, crm.Internal, "the workflow service refused a request")
}

// SendTaskSuccess completes the wait whose task token is token. Step
// Functions answers a token whose task has ended (answered already, timed
// out, its execution stopped) with TaskDoesNotExist, TaskTimedOut or
// InvalidToken: to the tenant those are one thing, a decision that comes
// too late, a Conflict.
func (m *StateMachine) SendTaskSuccess(ctx context.Context, token string, output any) error {
	body, err := json.Marshal(output)
	if err != nil {
		return crm.Wrap(err, crm.Internal, "marshal task output")
	}
	out := string(body)
	_, err = m.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: &out})
	var (
		missing  *types.TaskDoesNotExist
		timedOut *types.TaskTimedOut
		invalid  *types.InvalidToken
	)
	if errors.As(err, &missing) || errors.As(err, &timedOut) || errors.As(err, &invalid) {
		return crm.Wrap(err, crm.Conflict, "%s", crm.WaitEnded)
	}
	if err != nil {
		return asFailure(fmt.Errorf("send task success: %w", err))
	}
	return nil
}
