package steps

import (
	"context"
	"log/slog"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// userLease is the lease of one user's records of the import's entity.
func userLease(tenant, importID, user, entity string) crm.Lease {
	return crm.Lease{Tenant: tenant, User: user, Entity: entity, Holder: importID, Until: time.Now().Add(crm.LeaseTime)}
}

// acquire takes (or renews) l. When another import holds it, the job says
// which, so the tenant sees what the import waits for, and the Busy error
// makes the workflow wait and try again.
func acquire(ctx context.Context, log *slog.Logger, leases crm.Leases, jobs crm.Jobs, l crm.Lease) error {
	err := leases.Acquire(ctx, l)
	if holder := crm.HolderOf(err); holder != "" {
		if werr := jobs.SetWaiting(ctx, l.Tenant, l.Holder, l.User, holder); werr != nil {
			log.Warn("waiting not recorded", "error", werr)
		}
		return err
	}
	if err != nil {
		return err
	}
	// Taken: whatever this user waited for, it waits no more.
	return jobs.SetWaiting(ctx, l.Tenant, l.Holder, l.User, "")
}

// renewer extends a lease while apply writes. It renews before every chunk
// (one PutItem a hundred ops): a lease that lapsed, or was given up by a
// failed import's finalize, stops the writes before the next chunk, not
// minutes later.
type renewer struct {
	leases crm.Leases
	lease  crm.Lease
}

func (r *renewer) renew(ctx context.Context) error {
	r.lease.Until = time.Now().Add(crm.LeaseTime)
	return r.leases.Acquire(ctx, r.lease)
}
