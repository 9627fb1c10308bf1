package undo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/undo"
)

const (
	tenant = "acme"
	user   = "u1"
	job    = "imp-a"
)

func rec(id, name string, version int64, importID string) crm.Record {
	return crm.Record{Entity: "customers", ID: id, Fields: map[string]string{"name": name}, Version: version, ImportID: importID}
}

// imported is a store after import job: c1 created, u1 updated (from
// version 3), d1 deleted, o1 untouched.
func imported(t *testing.T) *crmtest.Records {
	t.Helper()
	r := &crmtest.Records{}
	r.Put(tenant, user, rec("u1", "Old", 3, ""))
	r.Put(tenant, user, rec("d1", "Gone", 2, "imp-0"))
	r.Put(tenant, user, rec("o1", "Other", 1, ""))
	s := crm.Scope{Tenant: tenant, User: user, Entity: "customers", ImportID: job}
	cur, err := r.Current(context.Background(), s, "a", "z")
	if err != nil {
		t.Fatal(err)
	}
	u1, d1 := cur["u1"], cur["d1"]
	err = r.Write(context.Background(), s, []crm.Write{
		{Kind: crm.WriteCreate, ID: "c1", Row: 2, Fields: map[string]string{"name": "New"}, Version: 1},
		{Kind: crm.WriteUpdate, ID: "u1", Row: 3, Fields: map[string]string{"name": "Changed"}, Version: 4, Before: &u1},
		{Kind: crm.WriteDelete, ID: "d1", Before: &d1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(r *crmtest.Records) // after the import, before undo
		opt      undo.Options
		deleted  int
		restored int
		conflict []string // IDs
		want     map[string]*crm.Record
	}{
		{
			name: "a dry run counts and writes nothing", opt: undo.Options{},
			deleted: 1, restored: 2,
			want: map[string]*crm.Record{"c1": ptr(rec("c1", "New", 1, job)), "u1": ptr(rec("u1", "Changed", 4, job)), "d1": nil},
		},
		{
			name: "the act deletes what was created and puts back what was updated or deleted", opt: undo.Options{Act: true},
			deleted: 1, restored: 2,
			want: map[string]*crm.Record{"c1": nil, "u1": ptr(rec("u1", "Old", 3, "")), "d1": ptr(rec("d1", "Gone", 2, "imp-0")), "o1": ptr(rec("o1", "Other", 1, ""))},
		},
		{
			name: "a record edited since is a conflict, left alone",
			edit: func(r *crmtest.Records) { r.Put(tenant, user, rec("u1", "By hand", 5, "")) },
			opt:  undo.Options{Act: true}, deleted: 1, restored: 1, conflict: []string{"u1"},
			want: map[string]*crm.Record{"c1": nil, "u1": ptr(rec("u1", "By hand", 5, "")), "d1": ptr(rec("d1", "Gone", 2, "imp-0"))},
		},
		{
			name: "forced, the edited record is taken back",
			edit: func(r *crmtest.Records) { r.Put(tenant, user, rec("u1", "By hand", 5, "")) },
			opt:  undo.Options{Act: true, Force: true}, deleted: 1, restored: 2, conflict: []string{"u1"},
			want: map[string]*crm.Record{"u1": ptr(rec("u1", "Old", 3, ""))},
		},
		{
			name: "a deleted record created again is a conflict",
			edit: func(r *crmtest.Records) { r.Put(tenant, user, rec("d1", "Again", 1, "imp-b")) },
			opt:  undo.Options{Act: true}, deleted: 1, restored: 1, conflict: []string{"d1"},
			want: map[string]*crm.Record{"d1": ptr(rec("d1", "Again", 1, "imp-b"))},
		},
		{
			name: "a created record deleted by hand since counts as deleted",
			edit: func(r *crmtest.Records) { r.Delete(tenant, user, "customers", "c1") },
			opt:  undo.Options{Act: true}, deleted: 1, restored: 2,
			want: map[string]*crm.Record{"c1": nil},
		},
		{
			name: "a partly applied job: images of changes never made are found undone",
			edit: func(r *crmtest.Records) {
				// Apply crashed after the before-images, before the records.
				r.Delete(tenant, user, "customers", "c1")
				r.Put(tenant, user, rec("u1", "Old", 3, ""))
			},
			opt: undo.Options{Act: true}, deleted: 1, restored: 2,
			want: map[string]*crm.Record{"c1": nil, "u1": ptr(rec("u1", "Old", 3, "")), "d1": ptr(rec("d1", "Gone", 2, "imp-0"))},
		},
		{
			name: "a record changed between the look and the write is a conflict, not overwritten",
			edit: func(r *crmtest.Records) {
				r.BeforeUndo = func([]crm.UndoWrite) { r.Put(tenant, user, rec("c1", "Meanwhile", 2, "")) }
			},
			opt: undo.Options{Act: true}, deleted: 0, restored: 2, conflict: []string{"c1"},
			want: map[string]*crm.Record{"c1": ptr(rec("c1", "Meanwhile", 2, ""))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := imported(t)
			if tt.edit != nil {
				tt.edit(r)
			}
			res, err := undo.Run(context.Background(), r, tenant, job, tt.opt)
			if err != nil {
				t.Fatalf("Run() error %v", err)
			}
			if res.Deleted != tt.deleted || res.Restored != tt.restored {
				t.Errorf("Run() = deleted %d restored %d, want %d %d", res.Deleted, res.Restored, tt.deleted, tt.restored)
			}
			var ids []string
			for _, c := range res.Conflicts {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.conflict) {
				t.Errorf("Run() conflicts = %v, want %v", ids, tt.conflict)
			}
			for id, want := range tt.want {
				got, ok := r.Get(tenant, user, "customers", id)
				switch {
				case want == nil && ok:
					t.Errorf("record %s = %+v, want none", id, got)
				case want != nil && (!ok || got.Version != want.Version || got.ImportID != want.ImportID || got.Fields["name"] != want.Fields["name"]):
					t.Errorf("record %s = %+v (%v), want %+v", id, got, ok, *want)
				}
			}
		})
	}
}

func TestRunDryRunEqualsActAndReRunAnswersTheSame(t *testing.T) {
	r := imported(t)
	r.PageSize = 1 // every record its own page, as a long import's are
	r.Put(tenant, user, rec("u1", "By hand", 5, ""))
	ctx := context.Background()
	dry, err := undo.Run(ctx, r, tenant, job, undo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	act, err := undo.Run(ctx, r, tenant, job, undo.Options{Act: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := undo.Run(ctx, r, tenant, job, undo.Options{Act: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range []undo.Result{act, again} {
		if got.Deleted != dry.Deleted || got.Restored != dry.Restored || len(got.Conflicts) != len(dry.Conflicts) {
			t.Errorf("Run() = %+v, want the dry run's %+v", got, dry)
		}
	}
	if again.Already != 2 {
		t.Errorf("Run() again: already = %d, want 2", again.Already)
	}
	if n := len(r.Undos()); n != 2 {
		t.Errorf("Undo calls = %d, want 2 (one per page written, none on the re-run)", n)
	}
}

func TestRunRefusesAboveMax(t *testing.T) {
	r := imported(t)
	_, err := undo.Run(context.Background(), r, tenant, job, undo.Options{Act: true, Max: 2})
	if crm.KindOf(err) != crm.Refused {
		t.Fatalf("Run(Max 2) error = %v, want Refused", err)
	}
	if n := len(r.Undos()); n != 0 {
		t.Errorf("Undo calls = %d, want 0", n)
	}
}

func ptr(r crm.Record) *crm.Record { return &r }

// crashing fails the Undo call number n, as a Lambda killed mid-way.
type crashing struct {
	*crmtest.Records
	n, calls int
}

func (c *crashing) Undo(ctx context.Context, tenant string, writes []crm.UndoWrite) ([]int, error) {
	c.calls++
	if c.calls == c.n {
		return nil, crm.Errorf(crm.Unavailable, "killed")
	}
	return c.Records.Undo(ctx, tenant, writes)
}

func TestRunAfterACrashMidWayFinishesTheSame(t *testing.T) {
	ctx := context.Background()
	want := imported(t)
	want.PageSize = 1
	full, err := undo.Run(ctx, want, tenant, job, undo.Options{Act: true})
	if err != nil {
		t.Fatal(err)
	}
	r := imported(t)
	r.PageSize = 1
	if _, err := undo.Run(ctx, &crashing{Records: r, n: 2}, tenant, job, undo.Options{Act: true}); crm.KindOf(err) != crm.Unavailable {
		t.Fatalf("Run(crash) error = %v, want Unavailable", err)
	}
	got, err := undo.Run(ctx, r, tenant, job, undo.Options{Act: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Deleted != full.Deleted || got.Restored != full.Restored || len(got.Conflicts) != len(full.Conflicts) || got.Already != 1 {
		t.Errorf("Run(after crash) = %+v, want %+v with 1 already undone", got, full)
	}
	for _, id := range []string{"c1", "u1", "d1", "o1"} {
		a, okA := want.Get(tenant, user, "customers", id)
		b, okB := r.Get(tenant, user, "customers", id)
		if okA != okB || a.Version != b.Version || a.ImportID != b.ImportID || a.Fields["name"] != b.Fields["name"] {
			t.Errorf("record %s after crash and re-run = %+v (%v), want %+v (%v)", id, b, okB, a, okA)
		}
	}
}

// The act holds the lease of each user's entity it writes (Lock), and
// gives it back after the page's writes; a dry run takes none; a lease
// another import holds stops the batch before anything is written.
func TestRunLocksWhatItWrites(t *testing.T) {
	ctx := context.Background()
	var held, taken []string
	lock := func(_ context.Context, user, entity string) (func(), error) {
		taken = append(taken, user+"/"+entity)
		held = append(held, user+"/"+entity)
		return func() { held = held[:len(held)-1] }, nil
	}
	r := imported(t)
	if _, err := undo.Run(ctx, r, tenant, job, undo.Options{Lock: lock}); err != nil || len(taken) != 0 {
		t.Fatalf("dry run = %v, leases taken %q; want none", err, taken)
	}
	if _, err := undo.Run(ctx, r, tenant, job, undo.Options{Act: true, Lock: lock}); err != nil {
		t.Fatal(err)
	}
	if want := []string{user + "/customers"}; !slices.Equal(taken, want) || len(held) != 0 {
		t.Errorf("leases taken %q, still held %q; want %q, none held", taken, held, want)
	}

	busy := imported(t)
	refuse := func(context.Context, string, string) (func(), error) {
		return nil, crm.Errorf(crm.Busy, "another import holds the records")
	}
	if _, err := undo.Run(ctx, busy, tenant, job, undo.Options{Act: true, Lock: refuse}); crm.KindOf(err) != crm.Busy {
		t.Fatalf("undo under a held lease = %v, want Busy", err)
	}
	if _, ok := busy.Get(tenant, user, "customers", "c1"); !ok {
		t.Error("undo under a held lease deleted c1, want nothing written")
	}
}
