// Package lambdafn is the Lambda edge of the workflow's steps: the one place
// where the domain's error kinds become the error names Step Functions
// routes on, and where a step's failure is logged, once.
//
// The Lambda runtime reports a returned error by its type name, and the
// workflow's Retry and Catch match on that name (statemachine/import.asl.json):
//
//	kind                                  error name       workflow
//	crm.Unavailable                       RetryableError   retried with backoff
//	crm.Busy                              BusyError        retried for up to hours: another
//	                                                       import holds the records' lease
//	crm.Invalid, Refused, NotFound,       RefusedError     not retried; its message, written
//	crm.Conflict                                           for the tenant, is the job's reason
//	crm.Internal (and unclassified)       InternalError    not retried by apply; the tenant
//	                                                       is told only that it failed
package lambdafn

import (
	"context"
	"log/slog"

	"github.com/crmimport/crm-import/internal/crm"
)

// The error names the workflow routes on.
const (
	RetryableName = "RetryableError"
	BusyName      = "BusyError"
	RefusedName   = "RefusedError"
	InternalName  = "InternalError"
)

// RetryableError is a failure a later attempt may not meet.
type RetryableError struct{ Message string }

func (e *RetryableError) Error() string { return e.Message }

// BusyError says another import holds what this step needs; the step runs
// again once the workflow has waited.
type BusyError struct{ Message string }

func (e *BusyError) Error() string { return e.Message }

// RefusedError is a failure of the tenant's input or request: retrying
// cannot help, and its message is written for the tenant.
type RefusedError struct{ Message string }

func (e *RefusedError) Error() string { return e.Message }

// InternalError is a bug or an error nobody classified. Its message is for
// operators reading the execution's history; tenants never see it.
type InternalError struct{ Message string }

func (e *InternalError) Error() string { return e.Message }

// ForWorkflow returns err as the named error the workflow routes on.
func ForWorkflow(err error) error {
	switch crm.KindOf(err) {
	case "":
		return nil
	case crm.Unavailable:
		return &RetryableError{Message: crm.Message(err)}
	case crm.Busy:
		return &BusyError{Message: crm.Message(err)}
	case crm.Internal:
		return &InternalError{Message: err.Error()}
	default:
		return &RefusedError{Message: crm.Message(err)}
	}
}

// Scoped is a step's input that knows whose import it belongs to.
type Scoped interface {
	// Logger returns base with the import's tenant, id (and user) and the
	// step's name on every line.
	Logger(base *slog.Logger, step string) *slog.Logger
}

// Handler wraps a step's handler for lambda.Start: a failure is logged once,
// with its whole chain and the import's attributes, and returned under the
// name the workflow routes on.
func Handler[In Scoped, Out any](base *slog.Logger, step string, h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		out, err := h(ctx, in)
		if err == nil {
			return out, nil
		}
		log := in.Logger(base, step)
		switch kind := crm.KindOf(err); kind {
		case crm.Unavailable:
			log.Warn("step will be retried", "kind", kind, "error", err)
		case crm.Busy:
			log.Info("step waits for another import", "kind", kind, "holder", crm.HolderOf(err))
		case crm.Internal:
			log.Error("step failed", "kind", kind, "error", err)
		default:
			log.Info("import refused", "kind", kind, "reason", crm.Message(err), "error", err)
		}
		return out, ForWorkflow(err)
	}
}
