package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// RetryableError is a failure that may pass if the step runs again later:
// throttling, a timeout, a service hiccup. Apply is idempotent, so the state
// machine retries a step that returns it (Retry on "RetryableError"; the
// Lambda runtime names the error by its type).
type RetryableError struct {
	Err error
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// PermanentError is a failure that running again will not cure: a bad
// request, a missing table, an item too large. The state machine catches it
// into a FAILED job.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// UnprocessedError says a batch still had unprocessed items after the
// bounded retries. It comes wrapped in a RetryableError: the table is
// throttling, and a later run may get through.
type UnprocessedError struct {
	Items    int
	Attempts int
}

func (e *UnprocessedError) Error() string {
	return fmt.Sprintf("%d items still unprocessed after %d attempts", e.Items, e.Attempts)
}

// transientCodes are the DynamoDB error codes worth trying again.
var transientCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"InternalServerError":                    true,
	"ServiceUnavailable":                     true,
	"TransactionInProgressException":         true,
}

func isTransient(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && transientCodes[api.ErrorCode()] {
		return true
	}
	// Connection resets and timeouts, as the SDK's own retryer sees them.
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

// classify wraps err in RetryableError or PermanentError, once.
func classify(err error) error {
	var re *RetryableError
	var pe *PermanentError
	switch {
	case err == nil, errors.As(err, &re), errors.As(err, &pe):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// The Lambda ran out of time: the step can run again from the start.
		return &RetryableError{Err: err}
	case isTransient(err):
		return &RetryableError{Err: err}
	}
	return &PermanentError{Err: err}
}

// ForStep returns err as the named type the state machine routes on
// (RetryableError or PermanentError, by the first one in the chain; anything
// unknown is permanent), keeping the whole message. A Lambda handler
// returns ForStep(err) so that wrapping with context does not hide the type.
func ForStep(err error) error {
	if err == nil {
		return nil
	}
	var re *RetryableError
	var pe *PermanentError
	switch {
	case errors.As(err, &re):
		if re == err {
			return err
		}
		return &RetryableError{Err: err}
	case errors.As(err, &pe):
		if pe == err {
			return err
		}
		return &PermanentError{Err: err}
	}
	return &PermanentError{Err: err}
}
