package apply

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

var scope = crm.Scope{Tenant: "acme", User: "anna", Entity: "customer", ImportID: "imp"}

// newStore holds Anna's three customers as the plans below saw them.
func newStore() *crmtest.Records {
	r := &crmtest.Records{}
	for _, rec := range []crm.Record{
		{ID: "c1", Version: 3, ImportID: "old", Fields: map[string]string{"name": "Müller GmbH"}},
		{ID: "c2", Version: 1, Fields: map[string]string{"name": "Schmidt AG"}},
		{ID: "c3", Version: 7, Fields: map[string]string{"name": "Weber KG"}},
	} {
		rec.Entity = "customer"
		r.Put("acme", "anna", rec)
	}
	return r
}

// render shows the user's records as "id v<version> <import> field=value".
func render(t *testing.T, r *crmtest.Records) []string {
	t.Helper()
	recs, err := r.Query(context.Background(), "acme", "anna", "customer")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rec := range recs {
		var fields []string
		for _, f := range slices.Sorted(maps.Keys(rec.Fields)) {
			fields = append(fields, f+"="+rec.Fields[f])
		}
		out = append(out, strings.Join(append([]string{rec.ID, fmt.Sprintf("v%d", rec.Version), rec.ImportID}, fields...), " "))
	}
	return out
}

func create(row int, id, name string) plan.Op {
	return plan.Op{Kind: plan.OpCreate, Row: row, ID: id, Fields: map[string]string{"name": name}}
}

func update(row int, id string, version int64, name string) plan.Op {
	return plan.Op{Kind: plan.OpUpdate, Row: row, ID: id, Version: version, Fields: map[string]string{"name": name},
		Changes: []plan.Change{{Field: "name", New: name}}}
}

func del(id string, version int64) plan.Op {
	return plan.Op{Kind: plan.OpDelete, ID: id, Version: version, Reason: "no row names it"}
}

// outcomes runs ops and returns the result and every outcome as
// "row id status: reason".
func outcomes(t *testing.T, r crm.Records, ops []plan.Op) (Result, []string) {
	t.Helper()
	var got []string
	res, err := Run(context.Background(), r, Input{Scope: scope, Ops: plan.Ops(ops), Total: len(ops),
		Outcome: func(o outcome.Row) error {
			got = append(got, strings.TrimSuffix(fmt.Sprintf("%d %s %s: %s", o.Row, o.ID, o.Status, o.Reason), ": "))
			return nil
		}})
	if err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	return res, got
}

func TestRunDecidesEachWriteOnTheRecordAsItIsNow(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*crmtest.Records) // what happens between the plan and the apply
		ops      []plan.Op
		want     Result
		outcomes []string
		records  []string
	}{
		{
			name: "create, update and delete are written with the version after",
			ops:  []plan.Op{update(2, "c1", 3, "Müller KG"), del("c2", 1), create(3, "n3", "Neu AG")},
			want: Result{Created: 1, Updated: 1, Deleted: 1},
			outcomes: []string{
				"2 c1 updated", "0 c2 deleted: no row names it", "3 n3 created",
			},
			records: []string{"c1 v4 imp name=Müller KG", "c3 v7  name=Weber KG", "n3 v1 imp name=Neu AG"},
		},
		{
			name: "a record changed since the plan is a conflict and keeps the change",
			edit: func(r *crmtest.Records) {
				r.Put("acme", "anna", crm.Record{Entity: "customer", ID: "c1", Version: 4, Fields: map[string]string{"name": "by hand"}})
				r.Put("acme", "anna", crm.Record{Entity: "customer", ID: "c3", Version: 8, ImportID: "imp-2", Fields: map[string]string{"name": "by import"}})
			},
			ops:  []plan.Op{update(2, "c1", 3, "Müller KG"), update(3, "c2", 1, "Schmidt SE"), del("c3", 7)},
			want: Result{Updated: 1, Conflicts: 2},
			outcomes: []string{
				"2 c1 conflict: record c1 was changed by someone after the preview (version 3, now 4), so it was not updated",
				"3 c2 updated",
				"0 c3 conflict: record c3 was changed by import imp-2 after the preview (version 7, now 8), so it was not deleted",
			},
			records: []string{"c1 v4  name=by hand", "c2 v2 imp name=Schmidt SE", "c3 v8 imp-2 name=by import"},
		},
		{
			name:     "a create whose ID exists is a conflict",
			ops:      []plan.Op{create(2, "c2", "Neu AG")},
			want:     Result{Conflicts: 1},
			outcomes: []string{"2 c2 conflict: a record with ID c2 already exists (version 1), so it was not created"},
			records:  []string{"c1 v3 old name=Müller GmbH", "c2 v1  name=Schmidt AG", "c3 v7  name=Weber KG"},
		},
		{
			name:     "an update of a record deleted since the plan is a conflict",
			edit:     func(r *crmtest.Records) { r.Delete("acme", "anna", "customer", "c2") },
			ops:      []plan.Op{update(2, "c2", 1, "Schmidt SE")},
			want:     Result{Conflicts: 1},
			outcomes: []string{"2 c2 conflict: record c2 was deleted after the preview, so it was not updated"},
			records:  []string{"c1 v3 old name=Müller GmbH", "c3 v7  name=Weber KG"},
		},
		{
			name:     "a delete whose record is gone is already applied",
			edit:     func(r *crmtest.Records) { r.Delete("acme", "anna", "customer", "c2") },
			ops:      []plan.Op{del("c2", 1)},
			want:     Result{Deleted: 1, AlreadyApplied: 1},
			outcomes: []string{"0 c2 deleted: no row names it"},
			records:  []string{"c1 v3 old name=Müller GmbH", "c3 v7  name=Weber KG"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newStore()
			if tt.edit != nil {
				tt.edit(r)
			}
			res, got := outcomes(t, r, tt.ops)
			if res != tt.want {
				t.Errorf("Run() = %+v, want %+v", res, tt.want)
			}
			if !slices.Equal(got, tt.outcomes) {
				t.Errorf("Run() outcomes = %q, want %q", got, tt.outcomes)
			}
			if got := render(t, r); !slices.Equal(got, tt.records) {
				t.Errorf("records after Run() = %q, want %q", got, tt.records)
			}
		})
	}
}

// The store is given the version after each write and the record as the
// re-check found it, for the before-image.
func TestRunHandsTheStoreVersionsAndBeforeImages(t *testing.T) {
	r := newStore()
	outcomes(t, r, []plan.Op{update(2, "c1", 3, "Müller KG"), del("c2", 1), create(3, "n3", "Neu AG")})
	type image struct {
		Kind          crm.WriteKind
		ID            string
		Row           int
		Version       int64
		BeforeVersion int64 // -1: no record before
	}
	var got []image
	for _, call := range r.Writes() {
		for _, w := range call {
			im := image{w.Kind, w.ID, w.Row, w.Version, -1}
			if w.Before != nil {
				im.BeforeVersion = w.Before.Version
			}
			got = append(got, im)
		}
	}
	want := []image{
		{crm.WriteUpdate, "c1", 2, 4, 3},
		{crm.WriteDelete, "c2", 0, 0, 1},
		{crm.WriteCreate, "n3", 3, 1, -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("writes = %+v, want %+v", got, want)
	}
	if n, _ := r.CountBeforeImages(context.Background(), "acme", "imp"); n != 3 {
		t.Errorf("CountBeforeImages() = %d, want 3", n)
	}
}

func TestRunTwiceWritesNothingMore(t *testing.T) {
	r := newStore()
	ops := []plan.Op{update(2, "c1", 3, "Müller KG"), del("c2", 1), create(3, "n3", "Neu AG")}
	first, _ := outcomes(t, r, ops)
	records, calls := render(t, r), len(r.Writes())

	again, got := outcomes(t, r, ops)
	if n := len(r.Writes()) - calls; n != 0 {
		t.Errorf("second Run() made %d writes, want none", n)
	}
	if want := (Result{Created: 1, Updated: 1, Deleted: 1, AlreadyApplied: 3}); again != want {
		t.Errorf("second Run() = %+v, want %+v (first %+v)", again, want, first)
	}
	if want := []string{"2 c1 updated", "0 c2 deleted: no row names it", "3 n3 created"}; !slices.Equal(got, want) {
		t.Errorf("second Run() outcomes = %q, want %q", got, want)
	}
	if got := render(t, r); !slices.Equal(got, records) {
		t.Errorf("records after the second Run() = %q, want %q", got, records)
	}
}

// Seven writes among ops that write nothing, in chunks of three: three
// re-checks, each over its chunk's IDs, and progress after each.
func TestRunRechecksEachChunkWithOneCall(t *testing.T) {
	r := &crmtest.Records{}
	ops := []plan.Op{
		{Kind: plan.OpError, Row: 2, Errors: []crm.RowError{{Reason: "is not a number"}}},
		create(3, "a1", "A1"), create(4, "a2", "A2"),
		{Kind: plan.OpUnchanged, Row: 5, ID: "a25"},
		create(6, "a3", "A3"), create(7, "a4", "A4"), create(8, "a5", "A5"),
		create(9, "a6", "A6"), create(10, "a7", "A7"),
		{Kind: plan.OpSkip, Row: 11, Reason: "no key"},
	}
	var progress [][2]int
	res, err := Run(context.Background(), r, Input{Scope: scope, Ops: plan.Ops(ops), Total: len(ops), ChunkSize: 3,
		Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]string{{"a1", "a3"}, {"a4", "a6"}, {"a7", "a7"}}; !reflect.DeepEqual(r.Rechecks(), want) {
		t.Errorf("Current calls = %v, want %v", r.Rechecks(), want)
	}
	for i, call := range r.Writes() {
		if len(call) > 3 {
			t.Errorf("Write call %d = %d writes, want at most a chunk (3)", i, len(call))
		}
	}
	if want := (Result{Created: 7, Unchanged: 1, Skipped: 1, Errors: 1}); res != want {
		t.Errorf("Run() = %+v, want %+v", res, want)
	}
	if len(progress) < 3 {
		t.Fatalf("progress = %v, want a call after each of the 3 chunks", progress)
	}
	for i, p := range progress {
		if p[1] != len(ops) || (i > 0 && p[0] < progress[i-1][0]) {
			t.Errorf("progress = %v, want done rising towards total %d", progress, len(ops))
			break
		}
	}
	if last := progress[len(progress)-1]; last != [2]int{len(ops), len(ops)} {
		t.Errorf("last progress = %v, want %d of %d", last, len(ops), len(ops))
	}
}

// A record changed between one chunk's re-check and the next is seen by
// the next: it is the re-check of each chunk, not the plan, that decides.
func TestRunSeesAChangeMadeWhileItRuns(t *testing.T) {
	r := newStore()
	r.AfterCurrent = func(_ crm.Scope, lo, _ string) {
		if lo == "c1" {
			r.Put("acme", "anna", crm.Record{Entity: "customer", ID: "c3", Version: 8, Fields: map[string]string{"name": "by hand"}})
		}
	}
	var got []string
	_, err := Run(context.Background(), r, Input{Scope: scope, ChunkSize: 2,
		Ops: plan.Ops([]plan.Op{update(2, "c1", 3, "A"), update(3, "c2", 1, "B"), update(4, "c3", 7, "C")}),
		Outcome: func(o outcome.Row) error {
			got = append(got, fmt.Sprintf("%s %s", o.ID, o.Status))
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c1 updated", "c2 updated", "c3 conflict"}; !slices.Equal(got, want) {
		t.Errorf("Run() outcomes = %q, want %q", got, want)
	}
}

func TestRunReportsOpsThatWriteNothingInPlanOrder(t *testing.T) {
	ops := []plan.Op{
		{Kind: plan.OpError, Row: 2, Errors: []crm.RowError{{Column: "Umsatz", Value: "viel", Reason: "is not a number"}}},
		create(3, "n3", "Neu AG"),
		{Kind: plan.OpSkip, Row: 4, Key: "customer_no=9", Reason: "mode update_only creates no records"},
		{Kind: plan.OpUnchanged, Row: 5, ID: "c3"},
		update(6, "c1", 3, "Müller KG"),
		{Kind: plan.OpSkip, Row: 7, Reason: "the row has no key"},
	}
	res, got := outcomes(t, newStore(), ops)
	if want := (Result{Created: 1, Updated: 1, Unchanged: 1, Skipped: 2, Errors: 1}); res != want {
		t.Errorf("Run() = %+v, want %+v", res, want)
	}
	var nothing, writes []string
	for _, o := range got {
		if strings.Contains(o, " created") || strings.Contains(o, " updated") {
			writes = append(writes, o)
		} else {
			nothing = append(nothing, o)
		}
	}
	want := []string{
		"2  error", "4  skipped: mode update_only creates no records",
		"5 c3 unchanged", "7  skipped: the row has no key",
	}
	if !slices.Equal(nothing, want) {
		t.Errorf("outcomes of ops that write nothing = %q, want %q", nothing, want)
	}
	if want := []string{"3 n3 created", "6 c1 updated"}; !slices.Equal(writes, want) {
		t.Errorf("outcomes of writes = %q, want %q", writes, want)
	}
}

// unavailable is a store that is busy: its re-check fails.
type unavailable struct{ crm.Records }

func (unavailable) Current(context.Context, crm.Scope, string, string) (map[string]crm.Stored, error) {
	return nil, crm.Errorf(crm.Unavailable, "the database is busy")
}

func TestRunFailsWithTheKindOfWhatWentWrong(t *testing.T) {
	tests := []struct {
		name  string
		store crm.Records
		ops   plan.Source
		want  crm.Kind
	}{
		{"a plan naming a record twice is internal", &crmtest.Records{},
			plan.Ops([]plan.Op{create(2, "n1", "A"), update(3, "n1", 1, "B")}), crm.Internal},
		{"a plan writing a record without an ID is internal", &crmtest.Records{},
			plan.Ops([]plan.Op{{Kind: plan.OpCreate, Row: 2}}), crm.Internal},
		{"a plan op that does not decode is internal", &crmtest.Records{},
			plan.NewReader(strings.NewReader("{\"op\": \"create\", \"row\": \"two\"}\n")), crm.Internal},
		{"a busy store stays unavailable", unavailable{&crmtest.Records{}},
			plan.Ops([]plan.Op{create(2, "n1", "A")}), crm.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.store, Input{Scope: scope, Ops: tt.ops})
			if got := crm.KindOf(err); got != tt.want {
				t.Errorf("Run() error = %v (kind %q), want kind %q", err, got, tt.want)
			}
			if r, ok := tt.store.(*crmtest.Records); ok && len(r.Writes()) != 0 {
				t.Errorf("Run() wrote %v, want nothing written", r.Writes())
			}
		})
	}
}

// A record the store cannot read has no version to compare: whatever the
// op, it is left as it is.
func TestUnreadableRecordIsAConflict(t *testing.T) {
	unreadable := &crm.Stored{Record: crm.Record{ID: "c1"}, Unreadable: true}
	for _, op := range []plan.Op{create(2, "c1", "A"), update(2, "c1", 0, "A"), del("c1", 0)} {
		d, reason := decide("imp", op, unreadable)
		if d != conflict || reason != "the stored record cannot be read, so it was not changed" {
			t.Errorf("decide(%s of an unreadable record) = %v %q, want a conflict saying it cannot be read", op.Kind, d, reason)
		}
	}
}
