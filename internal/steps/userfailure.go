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

// keepUserFailure leaves a per-user step's refusal where Finalize finds it
// (work file Failure) when the Map fails for it. Retried kinds are not
// kept: their last attempt's words would be a generic sentence anyway.
func keepUserFailure(ctx context.Context, log *slog.Logger, files crm.Files, t UserTask, err error) {
	if _, refused := lambdafn.ForWorkflow(err).(*lambdafn.RefusedError); !refused {
		return
	}
	cause, _ := json.Marshal(lambdaCause{ErrorType: lambdafn.RefusedName, ErrorMessage: crm.Message(err)})
	if perr := putJSON(ctx, files, t.work().Failure(t.User.ID), StepError{Error: lambdafn.RefusedName, Cause: string(cause)}); perr != nil {
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
