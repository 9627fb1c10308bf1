package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/crmimport/crm-import/internal/crm"
)

// Finalize closes a job. On the success path it adds up the users' results,
// writes the summary and the error file and marks the job SUCCEEDED; on the
// failure path (the workflow's Catch) it marks the job FAILED with the reason
// and with what was already applied, so no import stops half-done in silence.
type Finalize struct {
	Files  crm.Files
	Jobs   crm.Jobs
	Notify crm.Notifier
	// Records counts the records an import has touched, from its
	// before-images.
	Records crm.Records
	// Leases: finalize gives up the import's slot among the tenant's
	// running imports.
	Leases crm.Leases
	// Tenants and Limits say how many running-import slots the tenant has,
	// so that finalize gives up the one the import holds.
	Tenants crm.Tenants
	Limits  crm.Limits
	Log     *slog.Logger
}

// Handle is the finalize step.
func (f *Finalize) Handle(ctx context.Context, s State) (crm.Summary, error) {
	log := s.Logger(f.Log, "finalize")
	sum, err := f.close(ctx, log, s)
	if err == nil {
		// The tenant's next import may start.
		releaseTenantSlots(ctx, log, f.Tenants, f.Leases, f.Limits, s.Tenant, s.ImportID)
	}
	// The answer is the execution's output, which Step Functions caps at
	// 256 KB (States.DataLimitExceeded, seen at 1,000 users): the event's
	// summary, whose users are bounded; the summary file has them all.
	return sum.ForEvent(), err
}

func (f *Finalize) close(ctx context.Context, log *slog.Logger, s State) (crm.Summary, error) {
	switch {
	case s.Error != nil:
		return f.fail(ctx, log, s)
	case s.Expired != nil:
		return f.succeed(ctx, log, s, crm.Expired, crm.ImportExpired, expiredReason(s))
	case s.Wizard != nil && s.Wizard.Ended == crm.Stopped:
		return f.succeed(ctx, log, s, crm.Stopped, crm.ImportStopped, stoppedReason(s))
	}
	return f.succeed(ctx, log, s, crm.Succeeded, crm.ImportSucceeded, "")
}

// succeed closes a job that ended without a failure: SUCCEEDED, or STOPPED
// or EXPIRED with what was applied before; the summary lists the users
// applied, the error file their rows not imported.
func (f *Finalize) succeed(ctx context.Context, log *slog.Logger, s State, status crm.Status, event, reason string) (crm.Summary, error) {
	// The Map's results are in S3, one per item of its manifest; MapRun is
	// set by the workflow on its way through the Map only (an attended
	// import may end without it).
	var mapped []crm.UserRef
	if s.MapRun != nil {
		var err error
		if mapped, err = readMapItems(ctx, f.Files, s.Map); err != nil {
			return crm.Summary{}, err
		}
	}
	fromMap, err := mapResults(ctx, f.Files, s.work(), mapped, false)
	if err != nil {
		return crm.Summary{}, err
	}
	results := fromMap
	if s.Wizard != nil {
		results = append(slices.Clone(s.Wizard.Results), fromMap...)
	}
	sum := crm.Summary{ImportID: s.ImportID, Tenant: s.Tenant, Status: status, Reason: reason, Users: results}
	sum.Counts = crm.Counts{Rows: s.Rows, Invalid: s.Invalid}
	for _, r := range results {
		c := r.Counts
		c.Rows, c.Invalid = 0, 0
		sum.Counts = sum.Counts.Add(c)
		for e, n := range r.Linked {
			if sum.Linked == nil {
				sum.Linked = map[string]int{}
			}
			sum.Linked[e] += n
		}
	}
	errFile, lines, err := f.writeErrorFile(ctx, s)
	if err != nil {
		return sum, err
	}
	if lines > 0 {
		sum.ErrorFile = errFile
	}
	// Valid rows that reached no user's plan were skipped: their user was
	// not found.
	assigned := sum.Counts.Created + sum.Counts.Updated + sum.Counts.Unchanged + sum.Counts.Failed + sum.Counts.Skipped
	if unassigned := s.Rows - s.Invalid - assigned; unassigned > 0 {
		sum.Counts.Skipped += unassigned
	}
	sum.Duplicates = f.findDuplicates(ctx, log, s, fromMap)
	if err := f.putSummary(ctx, sum); err != nil {
		return sum, err
	}
	if s.Wizard != nil && s.Wizard.All != nil {
		// The users the Map applied after import-all.
		for _, r := range fromMap {
			if err := f.Jobs.SetUserStatus(ctx, s.Tenant, s.ImportID, r.User.ID, crm.UserImported); err != nil {
				return sum, err
			}
		}
	}
	c := sum.Counts
	err = f.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{
		Status: status, Reason: reason, Counts: &c, ErrorFile: sum.ErrorFile, Summary: s.work().Summary(),
	})
	if err != nil && crm.KindOf(err) != crm.Conflict {
		return sum, err
	}
	if err := f.Notify.Send(ctx, event, sum.ForEvent()); err != nil {
		// The job is closed; a lost notification must not fail it.
		log.Error("import ended but the notification was not sent", "status", status, "error", err)
	}
	log.Info("import ended", "status", status, "rows", c.Rows, "created", c.Created, "updated", c.Updated,
		"unchanged", c.Unchanged, "deleted", c.Deleted, "invalid", c.Invalid, "skipped", c.Skipped, "failed", c.Failed)
	return sum, nil
}

func (f *Finalize) fail(ctx context.Context, log *slog.Logger, s State) (crm.Summary, error) {
	sum := crm.Summary{ImportID: s.ImportID, Tenant: s.Tenant, Status: crm.Failed, Reason: s.Error.Reason()}
	sum.Counts = crm.Counts{Rows: s.Rows, Invalid: s.Invalid}
	// The users' leases are left to lapse (crm.LeaseTime): when one user
	// fails the Map, the other users' apply steps already running go on
	// writing, under their leases, until they end.
	// The Map's results are lost when it fails; each user's apply step
	// leaves its result in S3, so read back what was applied.
	users, err := s.users(ctx, f.Files)
	if err != nil {
		return sum, err
	}
	if s.Error.Error == mapFailedName {
		reason, err := userFailureReason(ctx, f.Files, s.work(), users)
		if err != nil {
			return sum, err
		}
		if reason != "" {
			sum.Reason = reason
		}
	}
	results, err := mapResults(ctx, f.Files, s.work(), users, true)
	if err != nil {
		return sum, err
	}
	for _, r := range results {
		sum.Users = append(sum.Users, r)
		c := r.Counts
		c.Rows, c.Invalid = 0, 0
		sum.Counts = sum.Counts.Add(c)
	}
	// Users whose apply finished say what they did; a user cut off half-way
	// leaves only before-images, which are written before each change.
	touched, err := f.Records.CountBeforeImages(ctx, s.Tenant, s.ImportID)
	if err != nil {
		return sum, err
	}
	if applied := sum.Counts.Created + sum.Counts.Updated + sum.Counts.Deleted; applied > 0 || touched > 0 {
		sum.Reason += fmt.Sprintf(" (before the failure, %d of %d users were applied in full: %d created, %d updated, %d deleted; %d records in all were changed or about to be)",
			len(sum.Users), len(users), sum.Counts.Created, sum.Counts.Updated, sum.Counts.Deleted, max(touched, applied))
	}
	if err := f.putSummary(ctx, sum); err != nil {
		log.Error("failure summary not written", "error", err)
	}
	c := sum.Counts
	err = f.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Status: crm.Failed, Reason: sum.Reason, Counts: &c})
	if err != nil && crm.KindOf(err) != crm.Conflict {
		return sum, err
	}
	if err := f.Notify.Send(ctx, crm.ImportFailed, sum.ForEvent()); err != nil {
		log.Error("import failed and the notification was not sent", "error", err)
	}
	log.Warn("import failed", "reason", sum.Reason, "errorType", s.Error.Error, "cause", s.Error.Cause)
	return sum, nil
}

// stoppedReason tells what a stopped import applied.
func stoppedReason(s State) string {
	return fmt.Sprintf("you stopped the import: the rows of %d of its %d users were imported and stay imported; the other users' rows were not",
		len(s.Wizard.Results), len(s.Wizard.All))
}

// expiredReason tells which wait expired.
func expiredReason(s State) string {
	what := "your answer"
	wait := "too long"
	if wz := s.Wizard; wz != nil {
		wait = spell(wz.WaitSeconds)
		switch wz.For {
		case crm.ForSelection:
			what = "your selection of users"
		case crm.ForDecision:
			if len(wz.Left) > 0 {
				what = fmt.Sprintf("your decision on the preview of %s", wz.Left[0].Email)
			}
		case crm.ForResume:
			what = "you to continue or stop after going back"
		}
	}
	applied, all := 0, 0
	if s.Wizard != nil {
		applied, all = len(s.Wizard.Results), len(s.Wizard.All)
	}
	return fmt.Sprintf("the import waited %s for %s and expired; nothing more was applied (%d of %d users had been imported)",
		wait, what, applied, all)
}

// spell says a number of seconds as a tenant would: "7 days", "2 seconds".
func spell(seconds int) string {
	unit, n := "second", seconds
	switch {
	case seconds >= 86400 && seconds%86400 == 0:
		unit, n = "day", seconds/86400
	case seconds >= 3600 && seconds%3600 == 0:
		unit, n = "hour", seconds/3600
	case seconds >= 60 && seconds%60 == 0:
		unit, n = "minute", seconds/60
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

func (f *Finalize) putSummary(ctx context.Context, sum crm.Summary) error {
	data, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return fmt.Errorf("marshal summary: %w", err)
	}
	return f.Files.Put(ctx, crm.Work{Tenant: sum.Tenant, ImportID: sum.ImportID}.Summary(), data, crm.JSON)
}
