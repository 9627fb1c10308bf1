package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// busy is what a tenant is told when DynamoDB does not answer in time.
const busy = "the database is busy"

// UnprocessedError says a batch still had unprocessed items after the
// bounded retries: the table is throttling, and a later attempt may get
// through.
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

// fromSDK gives err, an error of a DynamoDB call with its context, a kind,
// once: Unavailable for what a later attempt may not meet (throttling, 5xx,
// timeouts, the caller's time running out, items left unprocessed; the SDK
// has already retried them a few times by then), Internal for the rest (a
// bad request, a missing table, an item too large), with err kept as the
// cause for the logs.
func fromSDK(err error) error {
	var e *crm.Error
	var unprocessed *UnprocessedError
	switch {
	case err == nil, errors.As(err, &e):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &unprocessed), isTransient(err):
		return crm.Wrap(err, crm.Unavailable, busy)
	}
	return crm.Wrap(err, crm.Internal, "")
}
