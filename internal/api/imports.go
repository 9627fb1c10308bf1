package api

import (
	"context"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// importView is an import as the API shows it: what a tenant needs to
// follow it, without the storage details (bucket, work-file keys).
type importView struct {
	ID         string     `json:"id"`
	Entity     string     `json:"entity"`
	File       string     `json:"file"`
	Status     crm.Status `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	Users      int        `json:"users"`
	Counts     crm.Counts `json:"counts"`
	Done       int        `json:"done"`
	Total      int        `json:"total"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	FinishedAt time.Time  `json:"finishedAt,omitzero"`
	// The wizard (wizard.go): whether the import waits for the tenant,
	// and, while it does, what for.
	Attended bool         `json:"attended"`
	Waiting  *waitingView `json:"waiting,omitempty"`
	// QueuedBehind names the imports this one waits for to go on (it
	// waits for them, not for the tenant): one that holds a user's
	// records of the same entity, or, without a user, the tenant's slots
	// for running imports, all taken (one holder named).
	QueuedBehind []queuedView `json:"queuedBehind,omitempty"`
	// RestorePoint is the table before the import's first write
	// (restorepoints.go).
	RestorePoint *restorePointView `json:"restorePoint,omitempty"`
	// Undone: the import was undone, when, by whom (undo.go).
	Undone *crm.Undone `json:"undone,omitempty"`
	// Undo: the undo run, its status and progress (undo.go).
	Undo *crm.UndoRun `json:"undo,omitempty"`
}

// queuedView is one import an import waits for.
type queuedView struct {
	// User and Email: the user whose records Import is writing; empty
	// when the import waits for one of the tenant's running imports.
	User   string `json:"user,omitempty"`
	Email  string `json:"email,omitempty"`
	Import string `json:"import"`
	// RunningImports is how many imports the tenant may run at once,
	// when the import waits for one of them to end.
	RunningImports int `json:"runningImports,omitempty"`
}

// queueOf lists what j waits for among the tenant's imports, the slot
// first, then by user (steps/lease.go and slot.go record them).
func queueOf(j crm.Job) []queuedView {
	var q []queuedView
	for _, user := range slices.Sorted(maps.Keys(j.Waiting)) {
		holder := j.Waiting[user]
		if holder == "" {
			continue
		}
		if user == steps.WaitingForSlot {
			q = slices.Insert(q, 0, queuedView{Import: holder})
			continue
		}
		q = append(q, queuedView{User: user, Import: holder})
	}
	return q
}

// viewWithQueue is viewOf with the queue in the tenant's words: the
// e-mail of each user (from the import's selection) and the tenant's
// limit of running imports. Both are read only for an import that waits
// for another; a failed read leaves them out.
func (h *Handler) viewWithQueue(ctx context.Context, tenant string, j crm.Job) importView {
	v := viewOf(j)
	if len(v.QueuedBehind) == 0 {
		return v
	}
	var sel assign.Selection
	if err := h.readJSON(ctx, work(tenant, j).Selection(), &sel); err != nil && crm.KindOf(err) != crm.NotFound && h.Log != nil {
		h.Log.Warn("users of a queued import not read", "importId", j.ID, "error", err)
	}
	for i, q := range v.QueuedBehind {
		if q.User != "" {
			if k := slices.IndexFunc(sel.Users, func(u assign.UserRows) bool { return u.User.ID == q.User }); k >= 0 {
				v.QueuedBehind[i].Email = sel.Users[k].User.Email
			}
			continue
		}
		profile, err := h.Tenants.Profile(ctx, tenant)
		if err != nil {
			if h.Log != nil {
				h.Log.Warn("profile of a queued import not read", "importId", j.ID, "error", err)
			}
			continue
		}
		v.QueuedBehind[i].RunningImports = profile.Limits(h.Limits).MaxRunningImports
	}
	return v
}

func viewOf(j crm.Job) importView {
	return importView{
		ID: j.ID, Entity: j.Entity, File: path.Base(j.Key), Status: j.Status, Reason: j.Reason,
		Users: j.Users, Counts: j.Counts, Done: j.Done, Total: j.Total,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
		Attended: j.Attended, Waiting: waitingOf(j), QueuedBehind: queueOf(j),
		RestorePoint: restorePointOf(j),
		Undone:       j.Undone,
		Undo:         j.Undo,
	}
}

// importList is the answer of GET /imports: a page of imports, and the
// token of the next page when there is one.
type importList struct {
	Imports []importView `json:"imports"`
	Next    string       `json:"next,omitempty"`
}

// listImports answers a page of the tenant's imports, newest first
// (paging.go).
func (h *Handler) listImports(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	limit, after, err := listPageOf(req.QueryStringParameters)
	if err != nil {
		return nil, err
	}
	jobs, err := h.Jobs.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	page, next := pageAfter(jobs, after, limit)
	list := importList{Imports: make([]importView, 0, len(page)), Next: next}
	for _, j := range page {
		list.Imports = append(list.Imports, h.viewWithQueue(ctx, tenant, j))
	}
	return list, nil
}

// getImport answers one of the tenant's imports. The job is looked up
// under the caller's tenant only, so another tenant's id is as missing as
// an id that never existed: the answer does not tell them apart.
func (h *Handler) getImport(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	id := req.PathParameters["id"]
	if id == "" {
		return nil, crm.Errorf(crm.Invalid, "the import id is missing")
	}
	j, err := h.Jobs.Get(ctx, tenant, id)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "import %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	return h.viewWithQueue(ctx, tenant, j), nil
}
