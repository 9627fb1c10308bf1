package steps

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
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
	// MaxOps, when above 0, bounds the ops of one invocation (rounded up
	// to a whole chunk); Margin is the time an invocation leaves itself
	// before its deadline (DefaultApplyMargin when 0). Either ends an
	// invocation after a chunk, and the workflow invokes the step again.
	MaxOps int
	Margin time.Duration
}

// Handle applies the whole plan, invoking Step again on its own output
// until it is done, as the workflow does.
func (a *Apply) Handle(ctx context.Context, p UserPlan) (crm.UserResult, error) {
	for {
		s, err := a.Step(ctx, p)
		if err != nil || s.Next == nil {
			return s.Result, err
		}
		p = *s.Next
	}
}

// Step is the apply step: one invocation, which carries out the plan from
// where p.Resume says (its start when nil) up to its end, or until it stops
// after a chunk (applyresume.go).
func (a *Apply) Step(ctx context.Context, p UserPlan) (ApplyStep, error) {
	out, err := a.step(ctx, p)
	if err != nil {
		keepUserFailure(ctx, p.Logger(a.Log, "apply"), a.Files, p.UserTask, err)
	}
	return out, err
}

func (a *Apply) step(ctx context.Context, p UserPlan) (ApplyStep, error) {
	log := p.Logger(a.Log, "apply")
	res := crm.UserResult{ImportID: p.ImportID, Tenant: p.Tenant, User: p.User}
	out := ApplyStep{Result: res}
	// A retried or late apply may find its lease taken by another import:
	// it waits, and its re-check then reports that import's changes as
	// conflicts rather than overwriting them.
	lease := userLease(p.Tenant, p.ImportID, p.User.ID, p.Entity)
	if err := acquire(ctx, log, a.Leases, a.Jobs, lease); err != nil {
		return out, err
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
		if p.Resume != nil {
			// The first invocation wrote them, before any op of the plan.
			res.Linked = p.Resume.Linked
		} else {
			res.Linked, err = a.applyLinked(ctx, log, p)
		}
		if err == nil {
			var done int
			r, done, err = a.applyRecords(ctx, log, p, lease)
			if err == nil && r.Stopped {
				next := p
				next.Resume = p.Resume.next(done, r, res.Linked)
				log.Info("user applied in part", "done", next.Resume.Done, "total", p.Preview.Total())
				return ApplyStep{Result: res, Next: &next}, nil
			}
		}
	}
	if err != nil {
		return out, err
	}
	c := r
	if p.Resume != nil {
		c = p.Resume.Counts.Add(r)
	}
	res.Counts = crm.Counts{
		Created:   c.Created,
		Updated:   c.Updated,
		Unchanged: c.Unchanged,
		Deleted:   c.Deleted,
		Skipped:   c.Skipped,
		// Rows that failed validation were counted by the validate step.
		Failed: c.Errors + c.Conflicts - p.Invalid,
	}
	res.Conflicts = c.Conflicts
	out.Result = res
	if err := putJSON(ctx, a.Files, p.work().Result(p.User.ID), res); err != nil {
		return out, err
	}
	if err := a.Leases.Release(ctx, lease); err != nil {
		// The lease lapses by itself within minutes.
		log.Warn("lease not released", "error", err)
	}
	log.Info("user applied", "created", c.Created, "updated", c.Updated, "unchanged", c.Unchanged,
		"deleted", c.Deleted, "skipped", c.Skipped, "errors", c.Errors, "conflicts", c.Conflicts,
		"alreadyApplied", c.AlreadyApplied)
	return out, nil
}

// applyRecords carries out the plan in the record store, from the op
// p.Resume names, and returns how many ops it carried out. It writes the
// row log whole when it reaches the plan's end, else its own part of it.
func (a *Apply) applyRecords(ctx context.Context, log *slog.Logger, p UserPlan, lease crm.Lease) (apply.Result, int, error) {
	renewal := &renewer{leases: a.Leases, lease: lease}
	body, err := openWork(ctx, a.Files, p.work().Plan(p.User.ID))
	if err != nil {
		return apply.Result{}, 0, err
	}
	defer body.Close()
	ops := bufio.NewReader(body)
	skipped := p.Resume.done()
	if err := plan.Skip(ops, skipped); err != nil {
		return apply.Result{}, 0, crm.Wrap(err, crm.Internal, "apply %s", p.User.ID)
	}

	var lastProgress time.Time
	every := a.ProgressEvery
	if every == 0 {
		every = time.Second
	}
	// The part goes up only once the invocation's ops are applied, and the
	// row log once every op is: a retried invocation writes it again,
	// whole.
	stopped := false
	var r apply.Result
	carried := 0 // ops of this invocation, when it stops
	write := func(w io.Writer) error {
		rowLog := outcome.NewLog(w)
		var err error
		r, err = apply.Run(ctx, a.Records, apply.Input{
			Scope: crm.Scope{Tenant: p.Tenant, User: p.User.ID, Entity: p.Entity, ImportID: p.ImportID},
			Ops:   plan.NewReader(ops),
			Total: p.Preview.Total(),
			Renew: renewal.renew,
			Progress: func(done, total int) {
				done += skipped
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
			Stop:    a.stopper(ctx, &carried),
		})
		if err != nil {
			return err
		}
		if err := rowLog.Flush(); err != nil {
			return fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
		}
		stopped = r.Stopped
		return nil
	}
	// Whether this invocation reaches the end is known only once it has
	// run: it writes to a temporary file, uploaded as a part when it
	// stopped; the last one copies the parts before its own outcomes.
	tmp, err := os.CreateTemp(a.TmpDir, "outcomes-*")
	if err != nil {
		return r, 0, fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return r, 0, err
	}
	if err := bw.Flush(); err != nil {
		return r, 0, fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
	}
	switch {
	case stopped:
		part := 0
		if p.Resume != nil {
			part = p.Resume.Parts
		}
		return r, carried, a.Files.PutFile(ctx, outcomesPart(p.work(), p.User.ID, part), tmp.Name(), crm.JSONLines)
	case p.Resume == nil:
		// The whole plan in one invocation: its outcomes are the row log.
		return r, carried, a.Files.PutFile(ctx, p.work().Outcomes(p.User.ID), tmp.Name(), crm.JSONLines)
	}
	err = uploadFile(ctx, a.Files, a.TmpDir, p.work().Outcomes(p.User.ID), crm.JSONLines, func(w io.Writer) error {
		if err := a.copyParts(ctx, p, w); err != nil {
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
		}
		_, err := io.Copy(w, tmp)
		return err
	})
	return r, carried, err
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
