package api

import (
	"bufio"
	"context"
	"io"

	"github.com/crmimport/crm-import/internal/links"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/plan"
)

// previewView is the preview of one user's rows: the counts, a sample of
// the changes field by field, and one page of every planned operation.
type previewView struct {
	User       userView      `json:"user"`
	Counts     previewCounts `json:"counts"`
	Matched    int           `json:"matched"` // rows that match existing records
	Sample     []opView      `json:"sample"`
	Rows       []opView      `json:"rows"`
	Total      int           `json:"total"`
	Offset     int           `json:"offset"`
	Limit      int           `json:"limit"`
	NextOffset *int          `json:"nextOffset,omitempty"` // absent on the last page
	// Unresolved are the names of other records (a contact's company) that
	// named none or several, with their rows: those rows are errors.
	Unresolved []links.Unresolved `json:"unresolved"`
}

type previewCounts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Delete    int `json:"delete"`
	Skip      int `json:"skip"`
	Errors    int `json:"errors"`
}

// opView is one planned operation as the tenant reads it.
type opView struct {
	Row     int            `json:"row,omitempty"`
	Action  plan.OpKind    `json:"action"`
	ID      string         `json:"id,omitempty"`
	Changes []plan.Change  `json:"changes,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Errors  []crm.RowError `json:"errors,omitempty"`
}

func opViewOf(op plan.Op) opView {
	return opView{Row: op.Row, Action: op.Kind, ID: op.ID, Changes: op.Changes, Reason: op.Reason, Errors: op.Errors}
}

// getPreview answers the preview of ?user= (by default the user in turn),
// its operations paged with ?offset= and ?limit=.
func (h *Handler) getPreview(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	offset, limit, err := pageOf(req.QueryStringParameters)
	if err != nil {
		return nil, err
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	sel, err := h.selection(ctx, tenant, j)
	if err != nil {
		return nil, err
	}
	want := req.QueryStringParameters["user"]
	if want == "" {
		if j.Status != crm.Waiting || j.Wait == nil || j.Wait.User == nil {
			return nil, noPreviewInTurn(j, sel)
		}
		want = j.Wait.User.ID
	}
	var u *userView
	if ur, ok := findUser(sel, want); ok {
		u = &userView{ID: ur.User.ID, Email: ur.User.Email, Name: ur.User.Name, Rows: ur.Rows + ur.Invalid, Status: statusOf(j, ur.User.ID)}
	}
	if u == nil {
		return nil, crm.Errorf(crm.NotFound, "%q is not one of the users of this import", want)
	}
	// A user previewed again (after "back") keeps the old preview until
	// the new one is ready: it is shown only once the import waits on it.
	inTurn := j.Wait != nil && j.Wait.User != nil && j.Wait.User.ID == u.ID
	if u.Status == crm.UserPreviewing && !inTurn {
		return nil, crm.Errorf(crm.Conflict, "the preview of %s is being made: wait a moment and ask again", userName(u.ID, u.Email))
	}
	var pv plan.Preview
	err = h.readJSON(ctx, work(tenant, j).Preview(u.ID), &pv)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "%s has no preview: the import has not previewed their rows", userName(u.ID, u.Email))
	}
	if err != nil {
		return nil, err
	}
	v := previewView{
		User: *u,
		Counts: previewCounts{Create: pv.Creates, Update: pv.Updates, Unchanged: pv.Unchanged, Delete: pv.Deletes,
			Skip: pv.Skipped, Errors: pv.Errors},
		Matched: pv.Matched, Unresolved: nonNil(pv.Unresolved), Sample: []opView{}, Rows: []opView{}, Offset: offset, Limit: limit,
	}
	for _, op := range pv.Sample {
		v.Sample = append(v.Sample, opViewOf(op))
	}
	if err := h.pageOps(ctx, work(tenant, j).Plan(u.ID), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// pageOps reads the plan file, streaming, and keeps the page's ops.
func (h *Handler) pageOps(ctx context.Context, key string, v *previewView) error {
	body, err := h.Files.Open(ctx, key)
	if err != nil {
		if crm.KindOf(err) == crm.NotFound {
			return crm.Wrap(err, crm.NotFound, "the preview's plan is missing")
		}
		return err
	}
	defer body.Close()
	ops := plan.NewReader(bufio.NewReader(body))
	for {
		op, err := ops.Next()
		if err != nil {
			if err == io.EOF {
				break
			}
			return crm.Wrap(err, crm.Internal, "read %s", key)
		}
		if v.Total >= v.Offset && v.Total < v.Offset+v.Limit {
			v.Rows = append(v.Rows, opViewOf(op))
		}
		v.Total++
	}
	if end := v.Offset + v.Limit; end < v.Total {
		v.NextOffset = &end
	}
	return nil
}
