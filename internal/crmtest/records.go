package crmtest

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.Records = (*Records)(nil)

// Records is an in-memory crm.Records. Like the DynamoDB store it writes
// blindly what it is told, keeps one before-image per record and import,
// and refuses a record twice in one write. It records the re-checks,
// queries and writes it was asked for, so a test can see how apply and
// finalize used it.
type Records struct {
	// AfterCurrent, if set, is called after each Current has answered and
	// before its caller goes on: a test edits records there (with Put) to
	// play someone changing them while an import runs.
	AfterCurrent func(s crm.Scope, lo, hi string)
	// PageSize is how many before-images one page of ReadBeforeImages
	// holds; 0, all of them (undo.go). BeforeUndo plays a change between
	// undo's look and its write.
	PageSize   int
	BeforeUndo func(writes []crm.UndoWrite)

	mu       sync.Mutex
	records  map[owner]map[string]crm.Record
	images   map[imageKey]crm.Write
	rechecks [][2]string
	queries  []string
	writes   [][]crm.Write
	undos    [][]crm.UndoWrite
}

// owner is whose records: one user's records of one entity.
type owner struct{ tenant, user, entity string }

// imageKey names a before-image: one per record an import changes.
type imageKey struct{ tenant, importID, user, entity, id string }

// Put stores rec as a record of the tenant's user, replacing any of that ID.
func (r *Records) Put(tenant, user string, rec crm.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := owner{tenant, user, rec.Entity}
	if r.records == nil {
		r.records = map[owner]map[string]crm.Record{}
	}
	if r.records[o] == nil {
		r.records[o] = map[string]crm.Record{}
	}
	r.records[o][rec.ID] = clone(rec)
}

// Delete removes a record, if there is one.
func (r *Records) Delete(tenant, user, entity, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.records[owner{tenant, user, entity}], id)
}

// Get returns a stored record and whether there is one.
func (r *Records) Get(tenant, user, entity, id string) (crm.Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.records[owner{tenant, user, entity}][id]
	return clone(rec), ok
}

// Query returns the user's records of entity, by ID.
func (r *Records) Query(_ context.Context, tenant, user, entity string) ([]crm.Record, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, user)
	recs := r.records[owner{tenant, user, entity}]
	out := make([]crm.Record, 0, len(recs))
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		out = append(out, clone(recs[id]))
	}
	return out, nil
}

// Current returns the scope's records with IDs from lo to hi; Opaque is a
// copy of the record, which Write expects back in Before.
func (r *Records) Current(_ context.Context, s crm.Scope, lo, hi string) (map[string]crm.Stored, error) {
	r.mu.Lock()
	r.rechecks = append(r.rechecks, [2]string{lo, hi})
	out := map[string]crm.Stored{}
	for id, rec := range r.records[owner{s.Tenant, s.User, s.Entity}] {
		if lo <= id && id <= hi {
			out[id] = crm.Stored{Record: clone(rec), Opaque: clone(rec)}
		}
	}
	r.mu.Unlock()
	if r.AfterCurrent != nil {
		r.AfterCurrent(s, lo, hi)
	}
	return out, nil
}

// Write keeps a before-image of each write, then makes it.
func (r *Records) Write(_ context.Context, s crm.Scope, writes []crm.Write) error {
	seen := map[string]bool{}
	for _, w := range writes {
		if seen[w.ID] {
			return crm.Errorf(crm.Internal, "write record %s twice in one call", w.ID)
		}
		seen[w.ID] = true
		if w.Before == nil {
			continue
		}
		if _, ok := w.Before.Opaque.(crm.Record); !ok {
			return crm.Errorf(crm.Internal, "write record %s: the record before is not one Current returned", w.ID)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, slices.Clone(writes))
	if r.images == nil {
		r.images = map[imageKey]crm.Write{}
	}
	for _, w := range writes {
		r.images[imageKey{s.Tenant, s.ImportID, s.User, s.Entity, w.ID}] = w
	}
	o := owner{s.Tenant, s.User, s.Entity}
	if r.records == nil {
		r.records = map[owner]map[string]crm.Record{}
	}
	if r.records[o] == nil {
		r.records[o] = map[string]crm.Record{}
	}
	for _, w := range writes {
		if w.Kind == crm.WriteDelete {
			delete(r.records[o], w.ID)
			continue
		}
		r.records[o][w.ID] = clone(crm.Record{Entity: s.Entity, ID: w.ID, Fields: w.Fields, Version: w.Version, ImportID: s.ImportID})
	}
	return nil
}

// CountBeforeImages counts the records the import has started to change.
func (r *Records) CountBeforeImages(_ context.Context, tenant, importID string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k := range r.images {
		if k.tenant == tenant && k.importID == importID {
			n++
		}
	}
	return n, nil
}

// Rechecks returns the ID ranges of the Current calls so far, in order.
func (r *Records) Rechecks() [][2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rechecks)
}

// Queries returns the user of each Query so far, in order.
func (r *Records) Queries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.queries)
}

// Writes returns what each Write call so far was given, in order, before
// images included.
func (r *Records) Writes() [][]crm.Write {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.writes)
}

// clone copies rec so that no caller shares its fields with the store.
func clone(rec crm.Record) crm.Record {
	if rec.Fields != nil {
		rec.Fields = maps.Clone(rec.Fields)
	} else {
		rec.Fields = map[string]string{}
	}
	return rec
}
