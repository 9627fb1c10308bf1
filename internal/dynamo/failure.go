package dynamo

import (
	"github.com/crmimport/crm-import/internal/crm"
)

// asFailure marks errors that a later attempt may not meet (throttling,
// timeouts, 5xx: see isTransient) as Unavailable, so the step is retried
// rather than the import failed. The SDK has already retried them a few
// times by then.
func asFailure(err error) error {
	if err != nil && isTransient(err) {
		return crm.Wrap(err, crm.Unavailable, "the database is busy")
	}
	return err
}
