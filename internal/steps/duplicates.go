package steps

import (
	"context"
	"log/slog"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/duplicates"
)

// findDuplicates writes the report of likely duplicates among the records
// the import wrote and the tenant's other records of the entity, every
// user's, and returns how many pairs it found. It reads one user's records
// (or the snapshot of those the Map applied) at a time; the finder keeps
// only their keys. A failure here is logged and costs the tenant the
// report (-1), not the import, which has been applied.
func (f *Finalize) findDuplicates(ctx context.Context, log *slog.Logger, s State, applied []crm.UserResult) int {
	if isDirectory(s.Entity) {
		return 0
	}
	// Looking is bounded, so an import whose tenant has more records than
	// the step has time to read still closes: what is left of the step's
	// time but 20 s for the summary and the job.
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-20*time.Second))
		defer cancel()
	}
	rep, err := f.duplicates(ctx, s, applied)
	if err == nil {
		err = putJSON(ctx, f.Files, s.work().Duplicates(), rep)
	}
	if err != nil {
		log.Error("duplicates not looked for", "error", err)
		return -1
	}
	if rep.Total > 0 {
		log.Info("likely duplicates found", "pairs", rep.Total, "withinFile", rep.WithinFile, "existing", rep.Existing)
	}
	return rep.Total
}

func (f *Finalize) duplicates(ctx context.Context, s State, applied []crm.UserResult) (duplicates.Report, error) {
	users, err := f.Tenants.Users(ctx, s.Tenant)
	if err != nil {
		return duplicates.Report{}, err
	}
	// A user the Map applied as planned has records as its preview's
	// snapshot says: the Map's preview took the user's lease and apply
	// held it to its end, so no one else wrote them in between. A user
	// with a conflict, or applied after a wait in the wizard (whose lease
	// was given up while the tenant decided), is read.
	asPlanned := map[string]bool{}
	for _, r := range applied {
		asPlanned[r.User.ID] = r.Conflicts == 0
	}
	finder := duplicates.New(s.ImportID, s.Entity)
	for _, u := range users {
		if asPlanned[u.ID] {
			err := readSnapshot(ctx, f.Files, s.work(), u.ID, finder)
			if err == nil {
				continue
			}
			if crm.KindOf(err) != crm.NotFound {
				return duplicates.Report{}, err
			}
			// An import started before snapshots were written.
		}
		recs, err := f.Records.Query(ctx, s.Tenant, u.ID, s.Entity)
		if err != nil {
			return duplicates.Report{}, err
		}
		for _, r := range recs {
			finder.Add(u.ID, r)
		}
	}
	return finder.Report(), nil
}
