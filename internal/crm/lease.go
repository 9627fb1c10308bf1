package crm

import (
	"errors"
	"strconv"
	"time"
)

// Lease is one import's hold on one user's records of one entity. Two
// imports writing the same records at once would create a record twice or
// lose one's update in the other's; so a user's rows are planned and applied
// under a lease, and an import that meets another's lease waits for it.
//
// A lease is held per user and entity while that user is planned and
// applied, never across a wait for the tenant's decision: a nightly sync is
// not blocked for days by a preview nobody answers. A plan that went stale
// meanwhile shows up at apply as conflicts, never as overwritten data.
type Lease struct {
	Tenant string
	User   string
	Entity string
	Holder string    // the import id
	Until  time.Time // when it expires unless renewed
}

// LeaseTime is how long a lease lasts unless renewed: a little longer than
// one Lambda invocation can run, so a step that dies leaves the records to
// the next import within minutes.
const LeaseTime = 16 * time.Minute

// busy is the cause of a Busy error: the import that holds the lease.
type busy struct{ holder string }

func (b *busy) Error() string { return "lease held by import " + b.holder }

// LeaseBusy returns the Busy error of a lease held by holder.
func LeaseBusy(l Lease, holder string) *Error {
	return Wrap(&busy{holder: holder}, Busy, "waiting for import %s, which is importing the %s of user %s", holder, l.Entity, l.User)
}

// HolderOf returns the import a Busy error waits for, "" for other errors.
func HolderOf(err error) string {
	var b *busy
	if errors.As(err, &b) {
		return b.holder
	}
	return ""
}

// SlotTime is how long an import holds its slot among the tenant's running
// imports: longer than an import takes, its waits for other imports' leases
// included (the workflow gives up waiting after about five hours), so that
// only an import whose workflow died without finalizing (and that the
// sweeper has not ended) keeps a slot, until then.
const SlotTime = 6 * time.Hour

// ImportSlot is the lease of the n-th of a tenant's slots for running
// imports (see Limits.MaxRunningImports).
func ImportSlot(tenant string, n int, holder string) Lease {
	return Lease{Tenant: tenant, User: "slot-" + strconv.Itoa(n), Entity: "running-imports", Holder: holder, Until: time.Now().Add(SlotTime)}
}

// SlotsBusy is the Busy error of an import that waits for one of the
// tenant's running imports, holder among them, to end.
func SlotsBusy(max int, holder string) *Error {
	return Wrap(&busy{holder: holder}, Busy,
		"waiting for import %s: your CRM already runs %d imports at once, and this one starts when one of them ends", holder, max)
}
