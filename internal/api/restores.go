package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// Restores to a restore point (POST /restore-points/{id}/restore, GET
// /restores, GET /restores/{id}, POST /restores/{id}/confirm|cancel). A
// restore is a job of its own, run by its own workflow: it plans (a dry
// run, PLANNING), waits for the confirmation (READY), writes (RESTORING)
// and ends. A restore covers users' records the administrator chooses, or
// the whole tenant's: administrators only.

// restoreRequest is the body of POST /restore-points/{id}/restore.
type restoreRequest struct {
	Users []string `json:"users"` // e-mails; none: the whole tenant
}

// restoreView is one restore as the API answers it.
type restoreView struct {
	ID           string            `json:"id"`
	RestorePoint string            `json:"restorePoint"`
	Time         time.Time         `json:"time"`
	Users        []string          `json:"users"`
	Status       crm.RestoreStatus `json:"status"`
	PutBack      int               `json:"putBack"`
	Deleted      int               `json:"deleted"`
	Unchanged    int               `json:"unchanged"`
	EditsLost    int               `json:"editsLost"`
	ImportsSince []string          `json:"importsSince"`
	Done         int               `json:"done"`
	Total        int               `json:"total"`
	RequestedBy  string            `json:"requestedBy"`
	ConfirmedBy  string            `json:"confirmedBy,omitempty"`
	CreatedAt    time.Time         `json:"createdAt"`
	ConfirmedAt  *time.Time        `json:"confirmedAt,omitempty"`
	EndedAt      *time.Time        `json:"endedAt,omitempty"`
	Reason       string            `json:"reason,omitempty"`
}

func restoreViewOf(r crm.Restore) restoreView {
	v := restoreView{
		ID: r.ID, RestorePoint: r.Point, Time: r.Time, Users: r.Users, Status: r.Status,
		PutBack: r.PutBack, Deleted: r.Deleted, Unchanged: r.Unchanged, EditsLost: r.EditsLost,
		ImportsSince: r.ImportsSince, Done: r.Done, Total: r.Total,
		RequestedBy: r.RequestedBy, ConfirmedBy: r.ConfirmedBy, CreatedAt: r.CreatedAt, Reason: r.Reason,
	}
	if v.Users == nil {
		v.Users = []string{}
	}
	if v.ImportsSince == nil {
		v.ImportsSince = []string{}
	}
	if !r.ConfirmedAt.IsZero() {
		v.ConfirmedAt = &r.ConfirmedAt
	}
	if !r.EndedAt.IsZero() {
		v.EndedAt = &r.EndedAt
	}
	return v
}

// restoreAnswer answers POST /restore-points/{id}/restore.
type restoreAnswer struct {
	Restore restoreView `json:"restore"`
}

// restoreList answers GET /restores.
type restoreList struct {
	Restores []restoreView `json:"restores"`
}

// restoreInput is the restore workflow's input.
type restoreInput struct {
	Tenant    string `json:"tenant"`
	RestoreID string `json:"restoreId"`
}

// restoreAction is the answer the confirmation's wait receives.
type restoreAction struct {
	Action string `json:"action"` // confirm or cancel
}

func onlyAdministrators(req events.APIGatewayV2HTTPRequest) error {
	if !hasRole(req, Administrator) {
		return crm.Errorf(crm.Refused, "only administrators may restore records to a restore point")
	}
	return nil
}

// postRestore starts a restore to the restore point taken before import
// id: the workflow plans it and waits for the confirmation.
func (h *Handler) postRestore(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := onlyAdministrators(req); err != nil {
		return nil, err
	}
	id := req.PathParameters["id"]
	var body restoreRequest
	if err := decodeOptionalBody(req, &body); err != nil {
		return nil, err
	}
	j, err := h.Jobs.Get(ctx, tenant, id)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "there is no restore point %s: GET /restore-points lists yours", id)
	}
	if err != nil {
		return nil, err
	}
	rp := j.RestorePoint
	if rp == nil {
		return nil, crm.Errorf(crm.NotFound, "there is no restore point %s: GET /restore-points lists yours", id)
	}
	if rp.Prefix == "" {
		return nil, crm.Errorf(crm.Refused, "the restore point %s records only its time (%s): restoring it needs an export of the table made at that time, which this stack does not make yet", id, rp.Time.UTC().Format(time.RFC3339))
	}
	emails, ids, err := h.restoreUsers(ctx, tenant, body.Users)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r := crm.Restore{
		Tenant: tenant, ID: newRestoreID(), Point: id, Time: rp.Time, Prefix: rp.Prefix,
		Users: emails, UserIDs: ids, Status: crm.RestorePlanning, ImportsSince: []string{},
		RequestedBy: claimOf(req, EmailClaim), CreatedAt: now,
	}
	if err := h.Restores.CreateRestore(ctx, r); err != nil {
		return nil, err
	}
	if _, err := h.RestoreWorkflow.Start(ctx, r.ID, restoreInput{Tenant: tenant, RestoreID: r.ID}); err != nil {
		reason := "the restore could not be started; please try again"
		if _, _, merr := h.Restores.MoveRestore(ctx, tenant, r.ID, []crm.RestoreStatus{crm.RestorePlanning}, func(r *crm.Restore) {
			r.Status, r.Reason, r.EndedAt = crm.RestoreFailed, reason, time.Now().UTC()
		}); merr != nil {
			h.Log.ErrorContext(ctx, "a restore that did not start stays PLANNING", "tenant", tenant, "restoreId", r.ID, "error", merr)
		}
		return nil, err
	}
	return withStatus(202, restoreAnswer{Restore: restoreViewOf(r)}), nil
}

// restoreUsers finds the tenant's users the e-mails name, in the order
// given, once each; none is the whole tenant.
func (h *Handler) restoreUsers(ctx context.Context, tenant string, emails []string) ([]string, []string, error) {
	if len(emails) == 0 {
		return []string{}, []string{}, nil
	}
	users, err := h.Tenants.Users(ctx, tenant)
	if err != nil {
		return nil, nil, err
	}
	var names, ids []string
	for _, e := range emails {
		i := slices.IndexFunc(users, func(u crm.User) bool { return strings.EqualFold(u.Email, strings.TrimSpace(e)) })
		if i < 0 {
			return nil, nil, crm.Errorf(crm.Invalid, "%q is not the e-mail of a user of your CRM", e)
		}
		if !slices.Contains(ids, users[i].ID) {
			names, ids = append(names, users[i].Email), append(ids, users[i].ID)
		}
	}
	return names, ids, nil
}

// newRestoreID is a random restore id, shaped as the import ids are.
func newRestoreID() string {
	b := make([]byte, 13)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "rst-" + hex.EncodeToString(b)
}

func (h *Handler) listRestores(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := onlyAdministrators(req); err != nil {
		return nil, err
	}
	all, err := h.Restores.ListRestores(ctx, tenant)
	if err != nil {
		return nil, err
	}
	list := restoreList{Restores: make([]restoreView, 0, len(all))}
	for _, r := range all {
		list.Restores = append(list.Restores, restoreViewOf(r))
	}
	return list, nil
}

func (h *Handler) getRestore(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := onlyAdministrators(req); err != nil {
		return nil, err
	}
	r, err := h.Restores.GetRestore(ctx, tenant, req.PathParameters["id"])
	if err != nil {
		return nil, err
	}
	return restoreViewOf(r), nil
}

// postConfirmRestore confirms a READY restore, once: the move to
// RESTORING takes the wait's token with one conditional write, so of two
// confirmations one wins and the other is 409; then the workflow is told.
func (h *Handler) postConfirmRestore(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := onlyAdministrators(req); err != nil {
		return nil, err
	}
	id := req.PathParameters["id"]
	by := claimOf(req, EmailClaim)
	before, after, err := h.Restores.MoveRestore(ctx, tenant, id, []crm.RestoreStatus{crm.RestoreReady}, func(r *crm.Restore) {
		r.Status, r.ConfirmedBy, r.ConfirmedAt, r.Token = crm.RestoreRestoring, by, time.Now().UTC(), ""
	})
	if err != nil {
		return nil, confirmConflict(err, id, after.Status)
	}
	err = h.Workflow.SendTaskSuccess(ctx, before.Token, restoreAction{Action: "confirm"})
	if crm.KindOf(err) == crm.Conflict {
		// The wait has ended (it timed out): nothing was or will be written.
		_, _, _ = h.Restores.MoveRestore(ctx, tenant, id, []crm.RestoreStatus{crm.RestoreRestoring}, func(r *crm.Restore) {
			r.Status, r.Reason, r.EndedAt = crm.RestoreExpired, "the wait for the confirmation had ended; nothing was written", time.Now().UTC()
		})
		return nil, crm.Wrap(err, crm.Conflict, "restore %s waits for no confirmation any more: its wait has ended; start the restore again", id)
	}
	if err != nil {
		// Not sent: the restore waits again for a confirmation.
		_, _, _ = h.Restores.MoveRestore(ctx, tenant, id, []crm.RestoreStatus{crm.RestoreRestoring}, func(r *crm.Restore) {
			r.Status, r.ConfirmedBy, r.ConfirmedAt, r.Token = crm.RestoreReady, "", time.Time{}, before.Token
		})
		return nil, err
	}
	return withStatus(202, restoreViewOf(after)), nil
}

// postCancelRestore says no to a READY restore's dry run.
func (h *Handler) postCancelRestore(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := onlyAdministrators(req); err != nil {
		return nil, err
	}
	id := req.PathParameters["id"]
	before, after, err := h.Restores.MoveRestore(ctx, tenant, id, []crm.RestoreStatus{crm.RestoreReady}, func(r *crm.Restore) {
		r.Status, r.Reason, r.EndedAt, r.Token = crm.RestoreCancelled, "cancelled by "+claimOf(req, EmailClaim), time.Now().UTC(), ""
	})
	if err != nil {
		return nil, confirmConflict(err, id, after.Status)
	}
	// The restore has ended whatever the workflow hears: a lost answer
	// only lets its wait time out, and the expiry finds it ended.
	if err := h.Workflow.SendTaskSuccess(ctx, before.Token, restoreAction{Action: "cancel"}); err != nil {
		h.Log.WarnContext(ctx, "the cancelled restore's workflow was not told", "tenant", tenant, "restoreId", id, "error", err)
	}
	return restoreViewOf(after), nil
}

// confirmConflict words a move from READY that found the restore
// elsewhere.
func confirmConflict(err error, id string, now crm.RestoreStatus) error {
	if crm.KindOf(err) != crm.Conflict {
		return err
	}
	switch now {
	case crm.RestorePlanning:
		return crm.Wrap(err, crm.Conflict, "restore %s is still PLANNING: its dry run is not ready yet (run crmimport restores)", id)
	case crm.RestoreRestoring:
		return crm.Wrap(err, crm.Conflict, "restore %s was confirmed already and is RESTORING", id)
	}
	return crm.Wrap(err, crm.Conflict, "restore %s is %s: only a READY restore can be confirmed or cancelled", id, now)
}
