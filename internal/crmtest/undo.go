package crmtest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.BeforeImages = (*Records)(nil)

// ReadBeforeImages hands the import's before-images to each, ordered by
// user, entity and ID as the adapter's sort key orders them, PageSize at a
// time (all in one page when PageSize is 0), from after the image from
// names (next: the sort key of a page's last image); limit > 0 caps a
// page as well.
func (r *Records) ReadBeforeImages(_ context.Context, tenant, importID, from string, limit int, each func([]crm.BeforeImage, string) error) error {
	r.mu.Lock()
	var keys []imageKey
	for k := range r.images {
		if k.tenant == tenant && k.importID == importID && (from == "" || k.sortKey() > from) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b imageKey) int { return strings.Compare(a.sortKey(), b.sortKey()) })
	images := make([]crm.BeforeImage, 0, len(keys))
	for _, k := range keys {
		w := r.images[k]
		img := crm.BeforeImage{User: k.user, Entity: k.entity, ID: k.id, Op: w.Kind, VersionAfter: w.Version}
		if w.Before != nil {
			rec := clone(w.Before.Record)
			img.Before = &crm.Stored{Record: rec, Opaque: clone(rec)}
		}
		images = append(images, img)
	}
	size := r.PageSize
	r.mu.Unlock()
	if size <= 0 {
		size = max(len(images), 1)
	}
	if limit > 0 {
		size = min(size, limit)
	}
	for start := 0; start < len(images); start += size {
		end := min(start+size, len(images))
		if err := each(images[start:end], keys[end-1].sortKey()); err != nil {
			return err
		}
	}
	return nil
}

// sortKey orders images as the adapter's sort key does.
func (k imageKey) sortKey() string {
	return k.user + "#" + strings.ToUpper(k.entity) + "#" + k.id
}

// Undo makes each write while its record is as Expect says, and refuses
// the others, as the adapter's conditions do. BeforeUndo, if set, is
// called first: a test edits records there to play someone changing them
// between undo's look and its write.
func (r *Records) Undo(_ context.Context, tenant string, writes []crm.UndoWrite) ([]int, error) {
	if r.BeforeUndo != nil {
		r.BeforeUndo(writes)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.undos = append(r.undos, slices.Clone(writes))
	var refused []int
	for i, w := range writes {
		o := owner{tenant, w.User, w.Entity}
		now, ok := r.records[o][w.ID]
		if w.Expect == nil && ok || w.Expect != nil && (!ok || now.Version != w.Expect.Version || now.ImportID != w.Expect.ImportID) {
			refused = append(refused, i)
			continue
		}
		if w.Restore == nil {
			delete(r.records[o], w.ID)
			continue
		}
		rec, isRec := w.Restore.Opaque.(crm.Record)
		if !isRec {
			return nil, crm.Errorf(crm.Internal, "undo record %s: the record to put back is not one ReadBeforeImages returned", w.ID)
		}
		if r.records[o] == nil {
			r.records[o] = map[string]crm.Record{}
		}
		r.records[o][w.ID] = clone(rec)
	}
	return refused, nil
}

// Undos returns what each Undo call so far was given, in order.
func (r *Records) Undos() [][]crm.UndoWrite {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.undos)
}

// SetUndone records the undo on an ended job.
func (s *Jobs) SetUndone(_ context.Context, tenant, id string, u crm.Undone) error {
	if err := s.call("SetUndone"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok || !sj.job.Status.Terminal() {
		return crm.Errorf(crm.Conflict, "import %s has not ended or does not exist", id)
	}
	u.At = u.At.UTC().Truncate(time.Second)
	sj.job.Undone = &u
	return nil
}

var _ crm.UndoRuns = (*Jobs)(nil)

// StartUndo records run on an ended job unless another run is RUNNING
// (but the one of execution replace), as the adapter's condition does.
func (s *Jobs) StartUndo(_ context.Context, tenant, id string, run crm.UndoRun, replace string) error {
	if err := s.call("StartUndo"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok {
		return crm.Errorf(crm.NotFound, "import %s does not exist", id)
	}
	if u := sj.job.Undo; !sj.job.Status.Terminal() || u != nil && u.Status == crm.UndoRunning && u.Execution != replace {
		return crm.Errorf(crm.Conflict, "import %s is being undone already, or has not ended", id)
	}
	sj.job.Undo = &run
	return nil
}

// UpdateUndo writes run while the job's run is run.Execution's.
func (s *Jobs) UpdateUndo(_ context.Context, tenant, id string, run crm.UndoRun) error {
	if err := s.call("UpdateUndo"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok || sj.job.Undo == nil || sj.job.Undo.Execution != run.Execution {
		return crm.Errorf(crm.Conflict, "the undo of import %s was replaced by another run", id)
	}
	sj.job.Undo = &run
	return nil
}
