package apiclient

import (
	"context"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Restore is a restore to a restore point: its scope, the dry run's
// counts, and how far it has come.
type Restore struct {
	ID           string            `json:"id"`
	RestorePoint string            `json:"restorePoint"` // the import it was taken before
	Time         time.Time         `json:"time"`         // the point's time
	Users        []string          `json:"users"`        // e-mails; empty: the whole tenant
	Status       crm.RestoreStatus `json:"status"`
	PutBack      int               `json:"putBack"`   // changed or deleted since: written back
	Deleted      int               `json:"deleted"`   // created since: deleted
	Unchanged    int               `json:"unchanged"` // as they were
	// EditsLost counts the records of PutBack and Deleted a person
	// changed last: their edits are lost.
	EditsLost    int        `json:"editsLost"`
	ImportsSince []string   `json:"importsSince"`
	Done         int        `json:"done"`
	Total        int        `json:"total"`
	RequestedBy  string     `json:"requestedBy"`
	ConfirmedBy  string     `json:"confirmedBy,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	ConfirmedAt  *time.Time `json:"confirmedAt,omitempty"`
	EndedAt      *time.Time `json:"endedAt,omitempty"`
	Reason       string     `json:"reason,omitempty"`
}

// Ended reports whether the restore has ended.
func (r Restore) Ended() bool { return r.Status.Terminal() }

// RestoreRequest names the users to restore (e-mails); none is the whole
// tenant.
type RestoreRequest struct {
	Users []string `json:"users"`
}

// RestoreList is the answer of GET /restores.
type RestoreList struct {
	Restores []Restore `json:"restores"`
}

// StartRestore starts a restore to the restore point taken before import
// point (POST /restore-points/{id}/restore): it plans, then waits READY
// for the confirmation.
func (c *Client) StartRestore(ctx context.Context, point string, r RestoreRequest) (Restore, error) {
	var out struct {
		Restore Restore `json:"restore"`
	}
	err := c.post(ctx, "/restore-points/"+seg(point)+"/restore", r, &out)
	return out.Restore, err
}

// Restores lists the tenant's restores, newest first (GET /restores).
func (c *Client) Restores(ctx context.Context) (RestoreList, error) {
	var out RestoreList
	err := c.get(ctx, "/restores", nil, &out)
	return out, err
}

// Restore reads one restore (GET /restores/{id}).
func (c *Client) Restore(ctx context.Context, id string) (Restore, error) {
	var out Restore
	err := c.get(ctx, "/restores/"+seg(id), nil, &out)
	return out, err
}

// ConfirmRestore confirms a READY restore (POST /restores/{id}/confirm):
// it is RESTORING; a second confirmation is a 409.
func (c *Client) ConfirmRestore(ctx context.Context, id string) (Restore, error) {
	var out Restore
	err := c.post(ctx, "/restores/"+seg(id)+"/confirm", struct{}{}, &out)
	return out, err
}

// CancelRestore cancels a READY restore (POST /restores/{id}/cancel).
func (c *Client) CancelRestore(ctx context.Context, id string) (Restore, error) {
	var out Restore
	err := c.post(ctx, "/restores/"+seg(id)+"/cancel", struct{}{}, &out)
	return out, err
}
