// Package undo takes one import job back: from the before-images apply
// kept, a record the job created is deleted and one it updated or deleted
// is put back as it was. A record changed since (by a person or a later
// import) is a conflict, left alone unless forced. It knows the store only
// through the crm ports.
package undo

import (
	"context"
	"errors"
	"maps"

	"github.com/crmimport/crm-import/internal/crm"
)

// Store is what undo needs of the record store: the re-check apply makes
// (Current), the before-images, and the conditional writes.
type Store interface {
	Current(ctx context.Context, s crm.Scope, lo, hi string) (map[string]crm.Stored, error)
	CountBeforeImages(ctx context.Context, tenant, importID string) (int, error)
	crm.BeforeImages
}

// Options say how to undo.
type Options struct {
	// Act writes the undo; without it Run is the dry run, which answers
	// what the act would do.
	Act bool
	// Force takes back records changed since the import as well.
	Force bool
	// Max refuses an import that changed more records, before anything
	// is read or written; 0 is no limit.
	Max int
	// From goes on where an earlier batch ended (its Result.Next); ""
	// starts at the first before-image.
	From string
	// Batch ends the run after the page that takes the images read to
	// Batch or more (pages of Batch/10 stored images), with Result.Next
	// saying where the next run goes on;
	// 0 reads to the end. An undo cut into batches, each its own
	// invocation, stays well within a Lambda's time.
	Batch int
	// Lock, when set, is called before the act reads and writes one user's
	// records of an entity, and its release after: the user's lease, so an
	// import's apply, which writes without a condition after its own
	// re-read, never lands between the undo's look and its write.
	Lock func(ctx context.Context, user, entity string) (release func(), err error)
}

// Result is what the undo did (or, in a dry run, would do). Counted as
// the records stand after it: a record an earlier, interrupted run has
// undone already counts as deleted or restored again, so a re-run
// answers the same.
type Result struct {
	Deleted  int `json:"deleted"`  // records the job created, gone
	Restored int `json:"restored"` // records it updated or deleted, put back
	// Already counts the records of Deleted and Restored found as undo
	// leaves them, with nothing to write.
	Already   int        `json:"already"`
	Conflicts []Conflict `json:"conflicts"`
	// Images counts the before-images read (records looked at); Next is
	// where the next batch starts, "" when this run read the last one.
	Images int    `json:"-"`
	Next   string `json:"-"`
}

// Conflict is a record changed since the import.
type Conflict struct {
	User   string `json:"user"`
	Entity string `json:"entity"`
	ID     string `json:"id"`
	// Now is the record's fields as they are, nil when it is gone; Undo
	// what undo would write, nil when it would delete the record.
	Now  map[string]string `json:"now"`
	Undo map[string]string `json:"undo"`
	// Forced: taken back all the same (Options.Force).
	Forced bool   `json:"forced,omitempty"`
	Reason string `json:"reason"`
}

// Run undoes the import, page of before-images by page.
func Run(ctx context.Context, store Store, tenant, importID string, opt Options) (Result, error) {
	if opt.Max > 0 {
		n, err := store.CountBeforeImages(ctx, tenant, importID)
		if err != nil {
			return Result{}, err
		}
		if n > opt.Max {
			if opt.Act {
				return Result{}, crm.Errorf(crm.Refused, "import %s changed %d records; this undo takes back at most %d records", importID, n, opt.Max)
			}
			return Result{}, crm.Errorf(crm.Refused, "import %s changed %d records: a dry run looks at %d at most; undo it without one (crmimport undo %s --yes), conflicts are left alone unless --force", importID, n, opt.Max, importID)
		}
	}
	var res Result
	limit := 0
	if opt.Batch > 0 {
		// A page of a tenth of the batch: a batch of records' own images
		// ends near Batch, in pages of 100 for 1,000 (four transactions
		// each); one of a chunk's creates (up to 100 IDs each) at most
		// ten times Batch.
		limit = max(1, opt.Batch/10)
	}
	err := store.ReadBeforeImages(ctx, tenant, importID, opt.From, limit, func(page []crm.BeforeImage, next string) error {
		if err := undoPage(ctx, store, tenant, importID, opt, page, &res); err != nil {
			return err
		}
		res.Images += len(page)
		if opt.Batch > 0 && res.Images >= opt.Batch {
			res.Next = next
			return errBatchDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errBatchDone) {
		return Result{}, err
	}
	return res, nil
}

// errBatchDone ends the reading of before-images when a batch is full.
var errBatchDone = errors.New("the batch is full")

// step is what undo decides for one record.
type step struct {
	img      crm.BeforeImage
	write    *crm.UndoWrite
	conflict *Conflict
}

// undoPage plans one page against the records as they are now, read with
// one Current per user and entity, and writes it when acting.
func undoPage(ctx context.Context, store Store, tenant, importID string, opt Options, page []crm.BeforeImage, res *Result) error {
	var steps []step
	for _, group := range groups(page) {
		first, last := group[0], group[len(group)-1]
		if opt.Act && opt.Lock != nil {
			release, err := opt.Lock(ctx, first.User, first.Entity)
			if err != nil {
				return err
			}
			defer release() // after the page's writes
		}
		s := crm.Scope{Tenant: tenant, User: first.User, Entity: first.Entity, ImportID: importID}
		now, err := store.Current(ctx, s, first.ID, last.ID)
		if err != nil {
			return err
		}
		for _, img := range group {
			cur, ok := now[img.ID]
			var found *crm.Stored
			if ok {
				found = &cur
			}
			steps = append(steps, decide(img, found, importID, opt.Force))
		}
	}
	if opt.Act {
		if err := write(ctx, store, tenant, steps); err != nil {
			return err
		}
	}
	for _, st := range steps {
		if st.conflict != nil {
			res.Conflicts = append(res.Conflicts, *st.conflict)
			if !st.conflict.Forced {
				continue
			}
		}
		if st.write == nil && st.conflict == nil {
			res.Already++
		}
		if st.img.Before == nil {
			res.Deleted++
		} else {
			res.Restored++
		}
	}
	return nil
}

// write makes the page's writes; a record refused because it changed
// since undo looked becomes a conflict, left alone.
func write(ctx context.Context, store Store, tenant string, steps []step) error {
	var writes []crm.UndoWrite
	var at []int
	for i, st := range steps {
		if st.write != nil {
			writes = append(writes, *st.write)
			at = append(at, i)
		}
	}
	if len(writes) == 0 {
		return nil
	}
	refused, err := store.Undo(ctx, tenant, writes)
	if err != nil {
		return err
	}
	for _, k := range refused {
		st := &steps[at[k]]
		c := conflictOf(st.img, nil, "the record changed while the undo ran")
		if st.write.Expect != nil {
			c.Now = maps.Clone(st.write.Expect.Fields)
		}
		st.write, st.conflict = nil, &c
	}
	return nil
}

// decide compares one before-image with the record as it is now (nil:
// absent).
func decide(img crm.BeforeImage, now *crm.Stored, importID string, force bool) step {
	st := step{img: img}
	target := img.Before // nil: undo leaves no record
	switch {
	case target == nil && now == nil,
		target != nil && now != nil && !now.Unreadable && same(now.Record, target.Record):
		return st // undone already (or never changed: a crash before the write)
	case now == nil && img.Op == crm.WriteDelete,
		now != nil && !now.Unreadable && img.VersionAfter > 0 && now.Version == img.VersionAfter && now.ImportID == importID:
		st.write = undoWrite(img, now)
		return st
	}
	reason := "changed since the import"
	switch {
	case now == nil:
		reason = "deleted since the import"
	case now.Unreadable:
		reason = "the record cannot be read"
	case img.Op == crm.WriteDelete:
		reason = "created again since the import deleted it"
	}
	c := conflictOf(img, now, reason)
	if force && (now == nil || !now.Unreadable) {
		c.Forced = true
		st.write = undoWrite(img, now)
	}
	st.conflict = &c
	return st
}

// undoWrite puts img's record back while it is still as found now.
func undoWrite(img crm.BeforeImage, now *crm.Stored) *crm.UndoWrite {
	w := &crm.UndoWrite{User: img.User, Entity: img.Entity, ID: img.ID, Restore: img.Before}
	if now != nil {
		rec := now.Record
		w.Expect = &rec
	}
	return w
}

func conflictOf(img crm.BeforeImage, now *crm.Stored, reason string) Conflict {
	c := Conflict{User: img.User, Entity: img.Entity, ID: img.ID, Reason: reason}
	if now != nil {
		c.Now = maps.Clone(now.Fields)
	}
	if img.Before != nil {
		c.Undo = maps.Clone(img.Before.Fields)
	}
	return c
}

// same tells whether a record is as the before-image holds it.
func same(a, b crm.Record) bool {
	return a.Version == b.Version && a.ImportID == b.ImportID && maps.Equal(a.Fields, b.Fields)
}

// groups cuts a page, ordered by user, entity and ID, into runs of one
// user's records of one entity.
func groups(page []crm.BeforeImage) [][]crm.BeforeImage {
	var out [][]crm.BeforeImage
	start := 0
	for i := 1; i <= len(page); i++ {
		if i == len(page) || page[i].User != page[start].User || page[i].Entity != page[start].Entity {
			out = append(out, page[start:i])
			start = i
		}
	}
	return out
}
