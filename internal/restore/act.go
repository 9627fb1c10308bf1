package restore

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// BatchSize is the most records of one write: as many as one
// TransactWriteItems (and one BatchWriteItem of apply) takes.
const BatchSize = 25

// progressEvery is how many batches go between two progress writes.
const progressEvery = 8

// Actor writes a plan back.
type Actor struct {
	Store    crm.RestoreStore
	Files    crm.Files
	Leases   crm.Leases
	Restores crm.Restores
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Progress is how far an act has come: the users done (in the plan's
// order) and their records.
type Progress struct {
	NextUser int `json:"nextUser"`
	Done     int `json:"done"`
	Changed  int `json:"changed"`
}

// Act writes the plan of r's users from p.NextUser on, user by user, until
// all are done or stop says to stop between two users (a Lambda near its
// end). Each record is written only while it is as the plan found it; one
// already as the point has it (an earlier run wrote it) is done with
// nothing written; one changed since the plan is left alone and counted in
// Changed. So a re-run from the start finishes the same.
func (a *Actor) Act(ctx context.Context, r crm.Restore, plan Plan, p Progress, stop func() bool) (Progress, error) {
	for ; p.NextUser < len(plan.Users); p.NextUser++ {
		if p.NextUser > 0 && stop != nil && stop() {
			return p, nil
		}
		if err := a.user(ctx, r, plan.Users[p.NextUser], &p); err != nil {
			return p, err
		}
		if err := a.Restores.SetRestoreProgress(ctx, r.Tenant, r.ID, p.Done); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (a *Actor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// leases are the user's leases, one per entity, held by the restore: an
// import of the same user waits for it, and it for the import.
func (a *Actor) leases(r crm.Restore, up UserPlan) []crm.Lease {
	out := make([]crm.Lease, 0, len(up.Entities))
	for _, e := range up.Entities {
		out = append(out, crm.Lease{Tenant: r.Tenant, User: up.User, Entity: e, Holder: r.ID, Until: a.now().Add(crm.LeaseTime)})
	}
	return out
}

func (a *Actor) acquire(ctx context.Context, r crm.Restore, up UserPlan) error {
	for _, l := range a.leases(r, up) {
		if err := a.Leases.Acquire(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// user writes one user's plan, batch by batch, under the user's leases.
func (a *Actor) user(ctx context.Context, r crm.Restore, up UserPlan, p *Progress) error {
	if err := a.acquire(ctx, r, up); err != nil {
		return err
	}
	defer func() {
		for _, l := range a.leases(r, up) {
			// A lease not released lapses within LeaseTime.
			_ = a.Leases.Release(context.WithoutCancel(ctx), l)
		}
	}()
	body, err := a.Files.Open(ctx, crm.RestoreWork{Tenant: r.Tenant, RestoreID: r.ID}.UserPlan(up.User))
	if err != nil {
		return err
	}
	defer body.Close()
	renewed := a.now()
	batches := 0
	var batch []Op
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if a.now().Sub(renewed) > crm.LeaseTime/4 {
			if err := a.acquire(ctx, r, up); err != nil {
				return err
			}
			renewed = a.now()
		}
		changed, err := a.write(ctx, r.Tenant, up.User, batch)
		if err != nil {
			return err
		}
		p.Done += len(batch) - changed
		p.Changed += changed
		batch = batch[:0]
		if batches++; batches%progressEvery == 0 {
			return a.Restores.SetRestoreProgress(ctx, r.Tenant, r.ID, p.Done)
		}
		return nil
	}
	lr := crm.NewLineReader[Op](body)
	for {
		op, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return crm.Wrap(err, crm.Internal, "read the restore plan of user %s", up.User)
		}
		// A batch is one entity's records in ascending order, so that
		// its re-check is one Query over a tight range.
		if n := len(batch); n == BatchSize || n > 0 && (batch[n-1].Entity != op.Entity || batch[n-1].ID >= op.ID) {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, op)
	}
	return flush()
}

// write makes one batch's writes and answers how many records it left
// alone because they changed since the plan. A refused write whose record
// is already as the point has it was made by an earlier run: done.
func (a *Actor) write(ctx context.Context, tenant, user string, batch []Op) (int, error) {
	writes := make([]crm.RestoreWrite, len(batch))
	for i, op := range batch {
		writes[i] = crm.RestoreWrite{User: user, Entity: op.Entity, ID: op.ID, Item: op.Item, Expect: op.Expect}
	}
	refused, err := a.Store.Restore(ctx, tenant, writes)
	if err != nil || len(refused) == 0 {
		return 0, err
	}
	lo, hi := batch[refused[0]].ID, batch[refused[0]].ID
	for _, i := range refused {
		lo, hi = min(lo, batch[i].ID), max(hi, batch[i].ID)
	}
	now, err := a.Store.Current(ctx, crm.Scope{Tenant: tenant, User: user, Entity: batch[0].Entity, ImportID: "restore"}, lo, hi)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, i := range refused {
		op := batch[i]
		cur, ok := now[op.ID]
		switch {
		case op.Want == nil && !ok, op.Want != nil && ok && same(cur, *op.Want):
			// Already as the point has it.
		default:
			changed++
		}
	}
	return changed, nil
}
