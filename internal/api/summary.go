package api

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
)

// summaryView is the closing summary as the API shows it, without the
// storage details (the error file's key: GET /imports/{id}/errors serves it).
type summaryView struct {
	ID           string        `json:"id"`
	Status       crm.Status    `json:"status"`
	Reason       string        `json:"reason,omitempty"`
	Counts       crm.Counts    `json:"counts"`
	Users        []userSummary `json:"users"`
	HasErrorFile bool          `json:"hasErrorFile"`
	// Duplicates counts the likely duplicates GET /imports/{id}/duplicates
	// lists; -1 when they were not looked for.
	Duplicates int `json:"duplicates"`
}

// userSummary is what applying one user's rows did.
type userSummary struct {
	ID     string     `json:"id"`
	Email  string     `json:"email"`
	Rows   int        `json:"rows"`
	Counts crm.Counts `json:"counts"`
}

// getSummary answers the closing summary of an import that has ended; one
// still running has none yet, which is a conflict with its state, not a
// missing thing.
func (h *Handler) getSummary(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	if !j.Status.Terminal() {
		return nil, crm.Errorf(crm.Conflict, "the import is still %s: its summary is written when it ends", j.Status)
	}
	var sum crm.Summary
	err = h.readJSON(ctx, work(tenant, j).Summary(), &sum)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "import %s ended %s without a summary%s", j.ID, j.Status, because(j))
	}
	if err != nil {
		return nil, err
	}
	// The selection has each user's rows, the invalid ones apart: apply's
	// result counts only what it planned. An import that failed before
	// split has none, and no users either.
	sel, err := h.selection(ctx, tenant, j)
	if err != nil && crm.KindOf(err) != crm.NotFound {
		return nil, err
	}
	v := summaryView{ID: j.ID, Status: sum.Status, Reason: sum.Reason, Counts: sum.Counts,
		Users: make([]userSummary, 0, len(sum.Users)), HasErrorFile: sum.ErrorFile != "", Duplicates: sum.Duplicates}
	for _, u := range sum.Users {
		ur, ok := findUser(sel, u.User.ID)
		if !ok {
			ur = assign.UserRows{Rows: u.User.Rows}
		}
		c := userCounts(u.Counts, ur)
		v.Users = append(v.Users, userSummary{ID: u.User.ID, Email: u.User.Email, Rows: c.Rows, Counts: c})
	}
	return v, nil
}

// userCounts are the counts of a user of u's rows: Rows all their rows,
// Invalid those that failed validation, beside what applying the others
// did, so that a user's counts add up to their rows as the import's do.
func userCounts(c crm.Counts, u assign.UserRows) crm.Counts {
	c.Rows, c.Invalid = u.Rows+u.Invalid, u.Invalid
	return c
}
