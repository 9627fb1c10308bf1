package api

import (
	"context"
	"path"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
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
}

func viewOf(j crm.Job) importView {
	return importView{
		ID: j.ID, Entity: j.Entity, File: path.Base(j.Key), Status: j.Status, Reason: j.Reason,
		Users: j.Users, Counts: j.Counts, Done: j.Done, Total: j.Total,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
		Attended: j.Attended, Waiting: waitingOf(j),
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
		list.Imports = append(list.Imports, viewOf(j))
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
	return viewOf(j), nil
}
