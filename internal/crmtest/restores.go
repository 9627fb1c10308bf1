package crmtest

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"slices"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

var (
	_ crm.Restores     = (*Restores)(nil)
	_ crm.PointReader  = (*Points)(nil)
	_ crm.RestoreStore = (*RestoreStore)(nil)
)

// Restores is an in-memory crm.Restores: a move is checked and made under
// one lock, so of two moves from one status exactly one wins.
type Restores struct {
	mu       sync.Mutex
	restores map[[2]string]crm.Restore
}

// NewRestores returns an empty store of restores.
func NewRestores() *Restores { return &Restores{restores: map[[2]string]crm.Restore{}} }

func (s *Restores) CreateRestore(_ context.Context, r crm.Restore) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{r.Tenant, r.ID}
	if _, ok := s.restores[k]; ok {
		return crm.Errorf(crm.Conflict, "restore %s exists already", r.ID)
	}
	s.restores[k] = r
	return nil
}

func (s *Restores) GetRestore(_ context.Context, tenant, id string) (crm.Restore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.restores[[2]string{tenant, id}]
	if !ok {
		return crm.Restore{}, crm.Errorf(crm.NotFound, "restore %s does not exist", id)
	}
	return r, nil
}

func (s *Restores) ListRestores(_ context.Context, tenant string) ([]crm.Restore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []crm.Restore{}
	for k, r := range s.restores {
		if k[0] == tenant {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b crm.Restore) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (s *Restores) MoveRestore(_ context.Context, tenant, id string, from []crm.RestoreStatus, change func(*crm.Restore)) (crm.Restore, crm.Restore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{tenant, id}
	before, ok := s.restores[k]
	if !ok {
		return crm.Restore{}, crm.Restore{}, crm.Errorf(crm.NotFound, "restore %s does not exist", id)
	}
	if !slices.Contains(from, before.Status) {
		return before, before, crm.Errorf(crm.Conflict, "restore %s is %s", id, before.Status)
	}
	after := before
	change(&after)
	s.restores[k] = after
	return before, after, nil
}

func (s *Restores) SetRestoreProgress(_ context.Context, tenant, id string, done int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := [2]string{tenant, id}
	r, ok := s.restores[k]
	if !ok || r.Status != crm.RestoreRestoring {
		return crm.Errorf(crm.Conflict, "restore %s is no longer restoring", id)
	}
	r.Done = done
	s.restores[k] = r
	return nil
}

// Points is an in-memory restore point: what a RestoreStore held when
// Take was called, under a prefix. Its items are the records as JSON.
type Points struct {
	mu     sync.Mutex
	points map[string][]crm.PointItem
}

// NewPoints returns a reader of no restore point.
func NewPoints() *Points { return &Points{points: map[string][]crm.PointItem{}} }

// Take keeps the tenant's records of store as the point under prefix.
func (p *Points) Take(prefix, tenant string, store *RestoreStore) {
	store.mu.Lock()
	var items []crm.PointItem
	for k, rec := range store.records {
		if k.tenant == tenant {
			raw, _ := json.Marshal(rec)
			items = append(items, crm.PointItem{User: k.user, Record: clone(rec), Item: raw})
		}
	}
	store.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.points[prefix] = items
}

// Items yields the point's items; a prefix with none taken is NotFound.
func (p *Points) Items(_ context.Context, prefix, tenant string) iter.Seq2[crm.PointItem, error] {
	return func(yield func(crm.PointItem, error) bool) {
		p.mu.Lock()
		items, ok := p.points[prefix]
		p.mu.Unlock()
		if !ok {
			yield(crm.PointItem{}, crm.Errorf(crm.NotFound, "the restore point %s has no data in the bucket", prefix))
			return
		}
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// RestoreStore is an in-memory crm.RestoreStore: users' records of every
// entity, written only while as a write expects. PageSize cuts
// EachRecord's pages (0: 100); BeforeRestore, when set, runs before each
// write, to play someone changing records meanwhile; FailAfter, when > 0,
// fails the Restore call after that many (a crash).
type RestoreStore struct {
	PageSize      int
	BeforeRestore func(writes []crm.RestoreWrite)
	FailAfter     int

	mu      sync.Mutex
	records map[recordKey]crm.Record
	calls   int
}

type recordKey struct{ tenant, user, entity, id string }

// NewRestoreStore returns an empty store.
func NewRestoreStore() *RestoreStore { return &RestoreStore{records: map[recordKey]crm.Record{}} }

// Put stores a record of a user.
func (s *RestoreStore) Put(tenant, user string, rec crm.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[recordKey{tenant, user, rec.Entity, rec.ID}] = clone(rec)
}

// Delete removes a record.
func (s *RestoreStore) Delete(tenant, user, entity, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, recordKey{tenant, user, entity, id})
}

// Records returns a tenant's records by user, then entity and ID.
func (s *RestoreStore) Records(tenant string) map[string]map[string]crm.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]crm.Record{}
	for k, rec := range s.records {
		if k.tenant != tenant {
			continue
		}
		if out[k.user] == nil {
			out[k.user] = map[string]crm.Record{}
		}
		out[k.user][k.entity+"/"+k.id] = clone(rec)
	}
	return out
}

// Calls counts the Restore calls.
func (s *RestoreStore) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *RestoreStore) EachRecord(_ context.Context, tenant, user string, each func([]crm.Stored) error) error {
	s.mu.Lock()
	var all []crm.Stored
	for k, rec := range s.records {
		if k.tenant == tenant && k.user == user {
			all = append(all, crm.Stored{Record: clone(rec)})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b crm.Stored) int {
		return cmp.Or(cmp.Compare(a.Entity, b.Entity), cmp.Compare(a.ID, b.ID))
	})
	size := cmp.Or(s.PageSize, 100)
	for page := range slices.Chunk(all, size) {
		if err := each(page); err != nil {
			return err
		}
	}
	return nil
}

func (s *RestoreStore) Current(_ context.Context, sc crm.Scope, lo, hi string) (map[string]crm.Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]crm.Stored{}
	for k, rec := range s.records {
		if k.tenant == sc.Tenant && k.user == sc.User && k.entity == sc.Entity && k.id >= lo && k.id <= hi {
			out[k.id] = crm.Stored{Record: clone(rec)}
		}
	}
	return out, nil
}

// Restore writes each record (the item is the record as JSON) while it is
// as Expect says.
func (s *RestoreStore) Restore(_ context.Context, tenant string, writes []crm.RestoreWrite) ([]int, error) {
	if s.BeforeRestore != nil {
		s.BeforeRestore(writes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.FailAfter > 0 && s.calls > s.FailAfter {
		return nil, crm.Errorf(crm.Unavailable, "the store crashed")
	}
	var refused []int
	for i, w := range writes {
		k := recordKey{tenant, w.User, w.Entity, w.ID}
		now, ok := s.records[k]
		if w.Expect == nil && ok || w.Expect != nil && (!ok || now.Version != w.Expect.Version || now.ImportID != w.Expect.ImportID) {
			refused = append(refused, i)
			continue
		}
		if w.Item == nil {
			delete(s.records, k)
			continue
		}
		var rec crm.Record
		if err := json.Unmarshal(w.Item, &rec); err != nil {
			return nil, crm.Wrap(err, crm.Internal, "")
		}
		s.records[k] = rec
	}
	return refused, nil
}
