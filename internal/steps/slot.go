package steps

import (
	"context"
	"log/slog"

	"github.com/crmimport/crm-import/internal/crm"
)

// WaitingForSlot is the key of Job.Waiting for an import that waits as a
// whole, for one of the tenant's running imports to end.
const WaitingForSlot = "*"

// takeSlot takes one of the tenant's max slots for running imports, or
// returns a Busy error naming an import that holds one. A retried validate
// may hold a later slot from its first attempt: taking an earlier one
// gives that one up, so an import never holds two.
func takeSlot(ctx context.Context, log *slog.Logger, leases crm.Leases, jobs crm.Jobs, tenant, importID string, max int) error {
	holder := ""
	for n := range max {
		err := leases.Acquire(ctx, crm.ImportSlot(tenant, n, importID))
		if err == nil {
			for later := n + 1; later < max; later++ {
				if err := leases.Release(ctx, crm.ImportSlot(tenant, later, importID)); err != nil {
					log.Warn("slot not released", "slot", later, "error", err)
				}
			}
			return jobs.SetWaiting(ctx, tenant, importID, WaitingForSlot, "")
		}
		if h := crm.HolderOf(err); h != "" {
			if holder == "" {
				holder = h
			}
			continue
		}
		return err
	}
	if err := jobs.SetWaiting(ctx, tenant, importID, WaitingForSlot, holder); err != nil {
		log.Warn("waiting not recorded", "error", err)
	}
	return crm.SlotsBusy(max, holder)
}

// releaseSlots gives up every slot the import holds.
func releaseSlots(ctx context.Context, log *slog.Logger, leases crm.Leases, tenant, importID string, max int) {
	for n := range max {
		if err := leases.Release(ctx, crm.ImportSlot(tenant, n, importID)); err != nil {
			log.Warn("slot not released", "slot", n, "error", err)
		}
	}
}

// releaseTenantSlots gives up the slots an import holds, as many as the
// tenant has. A slot not released lapses by itself (crm.SlotTime).
func releaseTenantSlots(ctx context.Context, log *slog.Logger, tenants crm.Tenants, leases crm.Leases, limits crm.Limits, tenant, importID string) {
	profile, err := tenants.Profile(ctx, tenant)
	if err != nil {
		log.Warn("slot not released", "error", err)
		return
	}
	releaseSlots(ctx, log, leases, tenant, importID, profile.Limits(limits).MaxRunningImports)
}
