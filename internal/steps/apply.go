package steps

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

// Apply carries out one user's plan in the record store and logs every
// row's outcome. Running it again after a crash changes nothing more:
// apply.Run recognises what this import already wrote.
type Apply struct {
	Files   crm.Files
	Records crm.Records
	// Tenants holds the user directory an import of users writes.
	Tenants crm.Tenants
	Jobs    crm.Jobs
	// Leases: apply renews the lease preview took while it writes, and
	// releases it at the end.
	Leases crm.Leases
	TmpDir string
	Log    *slog.Logger
	// ProgressEvery bounds how often progress is written to the job record.
	ProgressEvery time.Duration
}

// Handle is the apply step.
func (a *Apply) Handle(ctx context.Context, p UserPlan) (crm.UserResult, error) {
	log := p.Logger(a.Log, "apply")
	res := crm.UserResult{ImportID: p.ImportID, Tenant: p.Tenant, User: p.User}
	// A retried or late apply may find its lease taken by another import:
	// it waits, and its re-check then reports that import's changes as
	// conflicts rather than overwriting them.
	lease := userLease(p.Tenant, p.ImportID, p.User.ID, p.Entity)
	if err := acquire(ctx, log, a.Leases, a.Jobs, lease); err != nil {
		return res, err
	}
	var r apply.Result
	var err error
	if isDirectory(p.Entity) {
		err = uploadFile(ctx, a.Files, a.TmpDir, p.work().Outcomes(p.User.ID), crm.JSONLines, func(w io.Writer) error {
			var werr error
			r, werr = a.applyDirectory(ctx, log, p, w)
			return werr
		})
	} else {
		if res.Linked, err = a.applyLinked(ctx, log, p); err == nil {
			r, err = a.applyRecords(ctx, log, p, lease)
		}
	}
	if err != nil {
		return res, err
	}
	res.Counts = crm.Counts{
		Created:   r.Created,
		Updated:   r.Updated,
		Unchanged: r.Unchanged,
		Deleted:   r.Deleted,
		Skipped:   r.Skipped,
		// Rows that failed validation were counted by the validate step.
		Failed: r.Errors + r.Conflicts - p.Invalid,
	}
	if err := putJSON(ctx, a.Files, p.work().Result(p.User.ID), res); err != nil {
		return res, err
	}
	if err := a.Leases.Release(ctx, lease); err != nil {
		// The lease lapses by itself within minutes.
		log.Warn("lease not released", "error", err)
	}
	log.Info("user applied", "created", r.Created, "updated", r.Updated, "unchanged", r.Unchanged,
		"deleted", r.Deleted, "skipped", r.Skipped, "errors", r.Errors, "conflicts", r.Conflicts,
		"alreadyApplied", r.AlreadyApplied)
	return res, nil
}

// applyRecords carries out the plan in the record store.
func (a *Apply) applyRecords(ctx context.Context, log *slog.Logger, p UserPlan, lease crm.Lease) (apply.Result, error) {
	renewal := &renewer{leases: a.Leases, lease: lease}
	body, err := openWork(ctx, a.Files, p.work().Plan(p.User.ID))
	if err != nil {
		return apply.Result{}, err
	}
	defer body.Close()

	var lastProgress time.Time
	every := a.ProgressEvery
	if every == 0 {
		every = time.Second
	}
	// The row log goes up only once every op is applied: a retried step
	// writes it again, whole.
	var r apply.Result
	err = uploadFile(ctx, a.Files, a.TmpDir, p.work().Outcomes(p.User.ID), crm.JSONLines, func(w io.Writer) error {
		rowLog := outcome.NewLog(w)
		var err error
		r, err = apply.Run(ctx, a.Records, apply.Input{
			Scope: crm.Scope{Tenant: p.Tenant, User: p.User.ID, Entity: p.Entity, ImportID: p.ImportID},
			Ops:   plan.NewReader(bufio.NewReader(body)),
			Total: p.Preview.Total(),
			Renew: renewal.renew,
			Progress: func(done, total int) {
				if done < total && time.Since(lastProgress) < every {
					return
				}
				lastProgress = time.Now()
				// Progress is for people watching; a lost update must not fail
				// the writes it describes.
				if err := a.Jobs.SetProgress(ctx, p.Tenant, p.ImportID, p.User.ID, done); err != nil {
					log.Warn("progress not recorded", "error", err)
				}
			},
			Outcome: rowLog.Write,
		})
		if err != nil {
			return err
		}
		if err := rowLog.Flush(); err != nil {
			return fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
		}
		return nil
	})
	return r, err
}

// applyLinked writes the records the user's rows create to link to (a
// contact's company, planned by preview with create_linked) before the
// rows that link to them, and returns how many of each entity it created.
// A retried step finds them written and creates none again.
func (a *Apply) applyLinked(ctx context.Context, log *slog.Logger, p UserPlan) (map[string]int, error) {
	var created map[string]int
	for _, entity := range slices.Sorted(maps.Keys(p.Preview.Linked)) {
		// Under the entity's lease, as preview read it: no other import of
		// the user's companies interleaves with these writes.
		lease := userLease(p.Tenant, p.ImportID, p.User.ID, entity)
		if err := acquire(ctx, log, a.Leases, a.Jobs, lease); err != nil {
			return nil, err
		}
		defer func() {
			if err := a.Leases.Release(context.WithoutCancel(ctx), lease); err != nil {
				log.Warn("lease not released", "entity", entity, "error", err) // it lapses by itself
			}
		}()
		body, err := openWork(ctx, a.Files, p.work().LinkedPlan(p.User.ID, entity))
		if err != nil {
			return nil, err
		}
		r, err := apply.Run(ctx, a.Records, apply.Input{
			Scope: crm.Scope{Tenant: p.Tenant, User: p.User.ID, Entity: entity, ImportID: p.ImportID},
			Ops:   plan.NewReader(bufio.NewReader(body)),
			Total: p.Preview.Linked[entity],
			// No Outcome: the row log is of the file's rows, which are the
			// contacts'; the companies are in no row of their own.
		})
		body.Close()
		if err != nil {
			return nil, err
		}
		if created == nil {
			created = map[string]int{}
		}
		created[entity] = r.Created // already applied ones included
	}
	return created, nil
}
