package steps

import (
	"errors"
	"log/slog"

	"github.com/crmimport/crm-import/internal/crm"
)

// The workflow routes on these type names: Retry on RetryableError, and the
// Catch turns a RefusedError's message into the job's reason.
const (
	retryableErrorName = "RetryableError"
	refusedErrorName   = "RefusedError"
)

// RetryableError is a failure a later attempt may not meet.
type RetryableError struct{ Message string }

func (e *RetryableError) Error() string { return e.Message }

// RefusedError is a failure of the tenant's input: retrying cannot help, and
// its message is written for the tenant.
type RefusedError struct{ Message string }

func (e *RefusedError) Error() string { return e.Message }

// forLambda turns a step's error into the named type the workflow routes on,
// logging it once, here, with its full chain.
func forLambda(log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	var r *RetryableError
	if errors.As(err, &r) {
		log.Warn("step will be retried", "error", err)
		return r
	}
	switch crm.KindOf(err) {
	case crm.Unavailable:
		log.Warn("step will be retried", "error", err)
		return &RetryableError{Message: crm.Message(err)}
	case crm.Internal:
		log.Error("step failed", "error", err)
		return err
	default:
		log.Info("import refused", "reason", crm.Message(err), "error", err)
		return &RefusedError{Message: crm.Message(err)}
	}
}
