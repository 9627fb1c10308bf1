package steps

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/lambdafn"
)

// mapFailedName is the error of a Distributed Map whose child failed: on
// AWS it is the Map's own error whatever the child's was, so the reason a
// tenant may be told (a refusal's words) does not reach the Catch.
const mapFailedName = "States.ExceedToleratedFailureThreshold"

// keepUserFailure leaves a per-user step's refusal, or its wait for
// another import (the workflow retries it for hours, then gives up), where
// Finalize finds it (work file Failure) when the Map fails for it. Other
// kinds are not kept: their words would be a generic sentence anyway.
func keepUserFailure(ctx context.Context, log *slog.Logger, files crm.Files, t UserTask, err error) {
	var name string
	switch lambdafn.ForWorkflow(err).(type) {
	case *lambdafn.RefusedError:
		name = lambdafn.RefusedName
	case *lambdafn.BusyError:
		name = lambdafn.BusyName
	default:
		return
	}
	cause, _ := json.Marshal(lambdaCause{ErrorType: name, ErrorMessage: crm.Message(err)})
	if perr := putJSON(ctx, files, t.work().Failure(t.User.ID), StepError{Error: name, Cause: string(cause)}); perr != nil {
		// The import fails either way; only its words are lost.
		log.Warn("the refusal's words were not kept for the summary", "error", perr)
	}
}

// userFailureReason is the words of the first user's kept refusal, in the
// Map's order, or "" if none was kept.
func userFailureReason(ctx context.Context, files crm.Files, w crm.Work, users []crm.UserRef) (string, error) {
	for _, u := range users {
		var e StepError
		err := readJSON(ctx, files, w.Failure(u.ID), &e)
		if crm.KindOf(err) == crm.NotFound {
			continue
		}
		if err != nil {
			return "", err
		}
		return e.Reason(), nil
	}
	return "", nil
}
