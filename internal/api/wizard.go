package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// The wizard's routes: an attended import waits for the tenant (the
// selection of users, a decision on each preview, continue or stop after
// "back"); each answer takes the job's wait, once, and completes the
// workflow's task with it. The task token never leaves the server.

// waitingView is what an import waits for, in importView.
type waitingView struct {
	For       crm.WaitFor `json:"for"`
	User      *userView   `json:"user,omitempty"`
	Since     time.Time   `json:"since"`
	ExpiresAt time.Time   `json:"expiresAt"`
}

// userView is one user of an import.
type userView struct {
	ID     string         `json:"id"`
	Email  string         `json:"email"`
	Name   string         `json:"name,omitempty"`
	Rows   int            `json:"rows"`
	Status crm.UserStatus `json:"status,omitempty"`
}

func waitingOf(j crm.Job) *waitingView {
	if j.Status != crm.Waiting || j.Wait == nil {
		return nil
	}
	w := &waitingView{For: j.Wait.For, Since: j.Wait.Since, ExpiresAt: j.Wait.Expires}
	if u := j.Wait.User; u != nil {
		w.User = &userView{ID: u.ID, Email: u.Email, Rows: u.Rows}
	}
	return w
}

// usersView is the answer of GET /imports/{id}/users.
type usersView struct {
	Users      []userView         `json:"users"`
	Unmatched  []assign.ValueRows `json:"unmatched"`
	Unassigned int                `json:"unassigned"`
}

// selection reads the users split found; before split has run the import
// has none to show yet.
func (h *Handler) selection(ctx context.Context, tenant string, j crm.Job) (assign.Selection, error) {
	var sel assign.Selection
	err := h.readJSON(ctx, work(tenant, j).Selection(), &sel)
	if crm.KindOf(err) == crm.NotFound {
		if !j.Status.Terminal() {
			return sel, crm.Wrap(err, crm.Conflict, "the import is still %s: its users are known once its file has been read and split", j.Status)
		}
		return sel, crm.Wrap(err, crm.NotFound, "import %s has no users: it ended before its file was split%s", j.ID, because(j))
	}
	return sel, err
}

func statusOf(j crm.Job, user string) crm.UserStatus {
	if st, ok := j.UserStatus[user]; ok {
		return st
	}
	return crm.UserPending
}

// getUsers answers the users found in the file, with their rows and their
// place in the import, and the values that matched no user.
func (h *Handler) getUsers(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	sel, err := h.selection(ctx, tenant, j)
	if err != nil {
		return nil, err
	}
	v := usersView{Users: []userView{}, Unmatched: nonNil(sel.Unmatched)}
	for _, u := range sel.Users {
		v.Users = append(v.Users, userView{ID: u.User.ID, Email: u.User.Email, Name: u.User.Name, Rows: u.Rows + u.Invalid, Status: statusOf(j, u.User.ID)})
	}
	for _, u := range sel.Unmatched {
		v.Unassigned += u.Rows
	}
	return v, nil
}

// selectionRequest is the body of POST /imports/{id}/selection.
type selectionRequest struct {
	Exclude []string `json:"exclude"`
}

// postSelection answers the wait for the selection: the users excluded, by
// id or e-mail.
func (h *Handler) postSelection(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	var body selectionRequest
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	if err := waitsFor(j, crm.ForSelection); err != nil {
		return nil, err
	}
	sel, err := h.selection(ctx, tenant, j)
	if err != nil {
		return nil, err
	}
	answer := steps.SelectionAnswer{Exclude: []string{}}
	for _, value := range body.Exclude {
		u, ok := findUser(sel, value)
		if !ok {
			return nil, crm.Errorf(crm.Invalid, "%q is not one of the users of this import: exclude a user by the id or e-mail its list of users shows", value)
		}
		answer.Exclude = append(answer.Exclude, u.User.ID)
	}
	return h.answer(ctx, tenant, j, crm.ForSelection, answer)
}

// decisionRequest is the body of POST /imports/{id}/decision.
type decisionRequest struct {
	Decision string `json:"decision"`
	User     string `json:"user,omitempty"`
}

// postDecision answers the wait for a decision on the user in turn.
func (h *Handler) postDecision(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	var body decisionRequest
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	switch body.Decision {
	case steps.DecideImport, steps.DecideSkip, steps.DecideImportAll, steps.DecideBack:
	default:
		return nil, crm.Errorf(crm.Invalid, "the decision %q is not one of import, skip, import-all, back", body.Decision)
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	// The decision names its user: sent twice, or after another answer
	// moved the import on, it must not decide on a user whose preview
	// was never shown.
	if strings.TrimSpace(body.User) == "" {
		return nil, crm.Errorf(crm.Invalid, "say which user the decision is for: a decision answers the preview of one user, the one you looked at")
	}
	if err := waitsFor(j, crm.ForDecision); err != nil {
		return nil, err
	}
	if u := j.Wait.User; u != nil && body.User != u.ID && !strings.EqualFold(strings.TrimSpace(body.User), u.Email) {
		sel, err := h.selection(ctx, tenant, j)
		if err != nil {
			return nil, err
		}
		return nil, notInTurn(j, sel, body.User)
	}
	return h.answer(ctx, tenant, j, crm.ForDecision, steps.DecisionAnswer{Decision: body.Decision})
}

// resumeRequest is the body of POST /imports/{id}/resume.
type resumeRequest struct {
	Action       string          `json:"action"`
	Config       string          `json:"config,omitempty"`
	InlineConfig json.RawMessage `json:"inlineConfig,omitempty"`
}

// postResume answers the wait after "back": continue, with new settings
// or not, or stop.
func (h *Handler) postResume(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	var body resumeRequest
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	switch {
	case body.Action != steps.ResumeContinue && body.Action != steps.ResumeStop:
		return nil, crm.Errorf(crm.Invalid, "the action %q is not one of continue, stop", body.Action)
	case body.Config != "" && len(body.InlineConfig) > 0:
		return nil, crm.Errorf(crm.Invalid, "give config (a saved configuration's name) or inlineConfig, not both")
	case body.Action == steps.ResumeStop && (body.Config != "" || len(body.InlineConfig) > 0):
		return nil, crm.Errorf(crm.Invalid, "stop takes no configuration")
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	if err := waitsFor(j, crm.ForResume); err != nil {
		return nil, err
	}
	answer := steps.ResumeAnswer{Action: body.Action}
	raw := []byte(body.InlineConfig)
	if body.Config != "" {
		raw, err = h.Tenants.Config(ctx, tenant, body.Config)
		if crm.KindOf(err) == crm.NotFound {
			return nil, crm.Wrap(err, crm.Invalid, "there is no saved configuration %q", body.Config)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(raw) > 0 {
		old, err := steps.ReadConfig(ctx, h.Files, work(tenant, j))
		if err != nil {
			return nil, err
		}
		next, err := steps.ResumeConfig(old, raw)
		if err != nil {
			return nil, err
		}
		if answer.Config, err = json.Marshal(next); err != nil {
			return nil, crm.Wrap(err, crm.Internal, "marshal the configuration")
		}
	}
	return h.answer(ctx, tenant, j, crm.ForResume, answer)
}

// answer takes the job's wait for f, once (a second answer meets a
// Conflict), and completes the workflow's task with output.
func (h *Handler) answer(ctx context.Context, tenant string, j crm.Job, f crm.WaitFor, output any) (any, error) {
	// What the job does next, for the tenant following it: only an
	// answer to import writes anything.
	next := crm.Previewing
	if d, ok := output.(steps.DecisionAnswer); ok && (d.Decision == steps.DecideImport || d.Decision == steps.DecideImportAll) {
		next = crm.Applying
	}
	w, err := h.Jobs.TakeWait(ctx, tenant, j.ID, f, next)
	if err != nil {
		return nil, err
	}
	if err := h.Workflow.SendTaskSuccess(ctx, w.Token, output); err != nil {
		if kind := crm.KindOf(err); kind != crm.Conflict {
			// The workflow may still wait: give the wait back, so the
			// tenant can answer again. Only if the job has not moved on: a
			// timeout may hide an answer that arrived, and the next wait's
			// token must not be replaced by this one.
			if rerr := h.Jobs.GiveBackWait(ctx, tenant, j.ID, w, next); rerr != nil && h.Log != nil {
				h.Log.Error("wait not given back after a failed answer", "importId", j.ID, "error", rerr)
			}
		}
		return nil, err
	}
	j, err = h.Jobs.Get(ctx, tenant, j.ID)
	if err != nil {
		return nil, err
	}
	return viewOf(j), nil
}

// resultView is one decided user's result so far.
type resultView struct {
	User   userView       `json:"user"`
	Status crm.UserStatus `json:"status"`
	Counts crm.Counts     `json:"counts"`
}

// getResults answers each decided user's result so far: the imported
// ones with their counts, the excluded and skipped with zero counts.
func (h *Handler) getResults(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	sel, err := h.selection(ctx, tenant, j)
	if err != nil {
		return nil, err
	}
	out := struct {
		Users []resultView `json:"users"`
	}{Users: []resultView{}}
	for _, u := range sel.Users {
		st := statusOf(j, u.User.ID)
		v := resultView{User: userView{ID: u.User.ID, Email: u.User.Email, Name: u.User.Name, Rows: u.Rows + u.Invalid}, Status: st}
		var r crm.UserResult
		err := h.readJSON(ctx, work(tenant, j).Result(u.User.ID), &r)
		switch {
		case err == nil && st != crm.UserSkipped && st != crm.UserExcluded:
			// An unattended import's users have no status; a result says
			// what was applied.
			v.Status, v.Counts = crm.UserImported, userCounts(r.Counts, u)
		case crm.KindOf(err) == crm.NotFound || err == nil:
			if st == crm.UserPending || st == crm.UserPreviewing {
				continue // not decided yet
			}
			if st == crm.UserSkipped || st == crm.UserExcluded {
				// Nothing of theirs was imported: their valid rows are
				// skipped, as the import's total counts them.
				v.Counts = userCounts(crm.Counts{Skipped: u.Rows}, u)
			}
		default:
			return nil, err
		}
		out.Users = append(out.Users, v)
	}
	return out, nil
}

// decodeBody reads a JSON request body.
func decodeBody(req events.APIGatewayV2HTTPRequest, v any) error {
	body, err := bodyOf(req)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return crm.Errorf(crm.Invalid, "the request needs a JSON body")
	}
	return decodeJSON(body, v)
}

// decodeOptionalBody is decodeBody for a route whose body may be left out
// (v keeps its zero value then): undo's and restore's, where no body is the
// dry run or the whole tenant.
func decodeOptionalBody(req events.APIGatewayV2HTTPRequest, v any) error {
	body, err := bodyOf(req)
	if err != nil || len(body) == 0 {
		return err
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return crm.Wrap(err, crm.Invalid, "the request body is not the JSON this route takes: %v", err)
	}
	return nil
}
