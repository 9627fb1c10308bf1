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
	}
	return err
}

// renewer extends a lease while a long step runs, at most every quarter of
// its time.
type renewer struct {
	leases crm.Leases
	lease  crm.Lease
	last   time.Time
}

func (r *renewer) renew(ctx context.Context) error {
	if time.Since(r.last) < crm.LeaseTime/4 {
		return nil
	}
	r.lease.Until = time.Now().Add(crm.LeaseTime)
	if err := r.leases.Acquire(ctx, r.lease); err != nil {
		return err
	}
	r.last = time.Now()
	return nil
}
