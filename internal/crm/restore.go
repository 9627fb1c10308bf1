package crm

import (
	"context"
	"encoding/json"
	"iter"
	"time"
)

// A restore makes a tenant's records (all of them, or chosen users')
// equal to a restore point: records changed or deleted since are put back,
// records created since are deleted. It is a job of its own (Restore),
// kept with the import jobs, run by its own workflow: plan (a dry run),
// wait for the tenant's confirmation, then write in batches.

// RestoreStatus is where a restore stands.
type RestoreStatus string

const (
	RestorePlanning  RestoreStatus = "PLANNING"  // the export and the current records are compared; nothing is written
	RestoreReady     RestoreStatus = "READY"     // the dry run's counts are known; waits for the confirmation
	RestoreRestoring RestoreStatus = "RESTORING" // confirmed: the records are written back
	RestoreSucceeded RestoreStatus = "SUCCEEDED"
	RestoreFailed    RestoreStatus = "FAILED"
	RestoreCancelled RestoreStatus = "CANCELLED" // the tenant said no to the dry run
	RestoreExpired   RestoreStatus = "EXPIRED"   // nobody confirmed in time
)

// Terminal reports whether the restore has ended.
func (s RestoreStatus) Terminal() bool {
	switch s {
	case RestoreSucceeded, RestoreFailed, RestoreCancelled, RestoreExpired:
		return true
	}
	return false
}

// RestoreCounts are what a restore does (the dry run) and has done.
type RestoreCounts struct {
	PutBack   int `json:"putBack"`   // changed or deleted since the point: written back as they were
	Deleted   int `json:"deleted"`   // created since the point: deleted
	Unchanged int `json:"unchanged"` // as they were
	// EditsLost counts the records of PutBack and Deleted whose last
	// change since the point was a person's, not an import's: what the
	// restore loses for good (before-images keep only imports' changes).
	EditsLost int `json:"editsLost"`
}

// Restore is the record of one restore: its scope, its dry run and how
// far it has come.
type Restore struct {
	Tenant string `json:"tenant"`
	ID     string `json:"id"`
	// Point is the restore point: the id of the import it was taken
	// before, with the time and where its export is.
	Point  string    `json:"restorePoint"`
	Time   time.Time `json:"time"`
	Prefix string    `json:"prefix"`
	// Users are the e-mails the tenant chose and UserIDs their ids; both
	// empty for the whole tenant.
	Users   []string `json:"users"`
	UserIDs []string `json:"userIds"`

	Status RestoreStatus `json:"status"`
	RestoreCounts
	// ImportsSince are the imports whose writes the restore rolls back.
	ImportsSince []string `json:"importsSince"`
	Done         int      `json:"done"`  // records written back or found as the point has them
	Total        int      `json:"total"` // PutBack + Deleted
	// Changed counts the records changed after the dry run: left as they
	// are, never overwritten in silence.
	Changed int `json:"changed,omitempty"`

	RequestedBy string    `json:"requestedBy"`
	ConfirmedBy string    `json:"confirmedBy,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	ConfirmedAt time.Time `json:"confirmedAt,omitzero"`
	EndedAt     time.Time `json:"endedAt,omitzero"`
	// Expires is when the wait for the confirmation ends.
	Expires time.Time `json:"expires,omitzero"`
	Reason  string    `json:"reason,omitempty"`
	// Token is the task token the confirmation completes. It never
	// leaves the server.
	Token string `json:"-"`
}

// Restores keeps the restore jobs, beside the import jobs.
type Restores interface {
	// CreateRestore stores a new restore; a Conflict when one of its id
	// exists.
	CreateRestore(ctx context.Context, r Restore) error
	// GetRestore returns a restore; a missing one is NotFound.
	GetRestore(ctx context.Context, tenant, id string) (Restore, error)
	// ListRestores returns the tenant's restores, newest first.
	ListRestores(ctx context.Context, tenant string) ([]Restore, error)
	// MoveRestore changes the restore with change, once, only while its
	// status is one of from: of two moves from READY exactly one wins,
	// the other is a Conflict naming the status it met. It returns the
	// restore as it was before the move (with its Token) and after.
	MoveRestore(ctx context.Context, tenant, id string, from []RestoreStatus, change func(*Restore)) (before, after Restore, err error)
	// SetRestoreProgress sets how many records are done, while the
	// restore is RESTORING. Set, not added: a re-run counts again.
	SetRestoreProgress(ctx context.Context, tenant, id string, done int) error
}

// PointItem is one of the tenant's records as a restore point holds it:
// the record, whose user, and the store's whole item (opaque to the
// domain, written back as it is).
type PointItem struct {
	User   string          `json:"user"`
	Record Record          `json:"record"`
	Item   json.RawMessage `json:"item"`
}

// PointReader reads a restore point's export.
type PointReader interface {
	// Items yields the tenant's record items of the export under prefix,
	// one at a time: never another tenant's item, never a job, user,
	// configuration, lease or before-image.
	Items(ctx context.Context, prefix, tenant string) iter.Seq2[PointItem, error]
}

// RestoreWrite is one write of a restore: Item put back (nil: the record is
// deleted), only while the record is still as Expect says (nil: absent).
type RestoreWrite struct {
	User   string
	Entity string
	ID     string
	Item   json.RawMessage
	Expect *Record
}

// RestoreStore is the part of the record store a restore needs.
type RestoreStore interface {
	// EachRecord calls each with a user's records, every entity, a page at
	// a time, ordered by entity and ID: never all of them at once.
	EachRecord(ctx context.Context, tenant, user string, each func([]Stored) error) error
	// Current is Records.Current: the re-check of a batch.
	Current(ctx context.Context, s Scope, lo, hi string) (map[string]Stored, error)
	// Restore makes the writes, each only while its record is as Expect
	// says, and returns the indexes of those it refused for that reason.
	Restore(ctx context.Context, tenant string, writes []RestoreWrite) (refused []int, err error)
}

// RestoreEvent is the detail of RestoreSucceeded and RestoreFailed: no
// row data.
type RestoreEvent struct {
	Tenant       string        `json:"tenant"`
	RestoreID    string        `json:"restoreId"`
	RestorePoint string        `json:"restorePoint"`
	Status       RestoreStatus `json:"status"`
	Reason       string        `json:"reason,omitempty"`
}

// Restore events.
const (
	RestoreSucceededEvent = "RestoreSucceeded"
	RestoreFailedEvent    = "RestoreFailed"
)

// RestoreWork is the layout of one restore's work files, under
// work/{tenant}/{restoreId}/:
//
//	restore/plan.json          the users planned, their entities and lines
//	restore/plans/{user}.jsonl each user's writes, one RestoreOp a line
type RestoreWork struct {
	Tenant    string
	RestoreID string
}

func (w RestoreWork) Prefix() string { return WorkPrefix + w.Tenant + "/" + w.RestoreID + "/restore/" }

func (w RestoreWork) Plan() string                { return w.Prefix() + "plan.json" }
func (w RestoreWork) UserPlan(user string) string { return w.Prefix() + "plans/" + user + ".jsonl" }
