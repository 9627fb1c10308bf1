package dynamo

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/crmimport/crm-import/internal/failure"
)

// asFailure marks errors that a later attempt may not meet (throttling,
// timeouts, 5xx) as Unavailable, so the step is retried rather than the
// import failed. The SDK has already retried them a few times by then.
func asFailure(err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
			"InternalServerError", "ServiceUnavailable", "TransactionConflictException":
			return failure.Wrap(err, failure.Unavailable, "the database is busy")
		}
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool() {
		return failure.Wrap(err, failure.Unavailable, "the database is not reachable")
	}
	return err
}
