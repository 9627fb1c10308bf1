package steps

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/outcome"
)

func TestApplyWritesThePlanAndLogsEveryRow(t *testing.T) {
	busy := crm.Errorf(crm.Unavailable, "the database is busy")
	tests := []struct {
		name string
		// meanwhile runs between preview and apply.
		meanwhile    func(*fixture)
		wantCounts   crm.Counts
		wantConflict int
		wantOutcomes map[int]outcome.Status // by row; 0 is the deletion
		wantName     string                 // of record r1 afterwards
	}{
		{
			name:         "updates, creates and deletes are written",
			wantCounts:   crm.Counts{Created: 1, Updated: 1, Deleted: 1},
			wantOutcomes: map[int]outcome.Status{2: outcome.Updated, 4: outcome.Created, 5: outcome.Error, 0: outcome.Deleted},
			wantName:     "Müller GmbH",
		},
		{
			name:         "a record changed since the preview is a conflict, not overwritten",
			meanwhile:    func(f *fixture) { f.records.Put(tenant, anna.ID, changed(mueller, "name", "Müller & Söhne GmbH")) },
			wantCounts:   crm.Counts{Created: 1, Deleted: 1, Failed: 1},
			wantConflict: 1,
			wantOutcomes: map[int]outcome.Status{2: outcome.Conflict, 4: outcome.Created, 5: outcome.Error, 0: outcome.Deleted},
			wantName:     "Müller & Söhne GmbH",
		},
		{
			name:         "lost progress does not fail the writes",
			meanwhile:    func(f *fixture) { f.jobs.FailCall("SetProgress", 1, busy) },
			wantCounts:   crm.Counts{Created: 1, Updated: 1, Deleted: 1},
			wantOutcomes: map[int]outcome.Status{2: outcome.Updated, 4: outcome.Created, 5: outcome.Error, 0: outcome.Deleted},
			wantName:     "Müller GmbH",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.previewed(t, mueller, gone)
			if tt.meanwhile != nil {
				tt.meanwhile(f)
			}

			res, err := f.apply().Handle(context.Background(), p)
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			want := crm.UserResult{ImportID: p.ImportID, Tenant: tenant, User: p.User, Counts: tt.wantCounts, Conflicts: tt.wantConflict}
			if !reflect.DeepEqual(res, want) {
				t.Errorf("Handle() = %+v, want %+v", res, want)
			}
			var saved crm.UserResult
			readWorkJSON(t, f, p.work().Result(anna.ID), &saved)
			if !reflect.DeepEqual(saved, want) {
				t.Errorf("results/%s.json = %+v, want %+v", anna.ID, saved, want)
			}
			if got := outcomeStatuses(t, f, p); !reflect.DeepEqual(got, tt.wantOutcomes) {
				t.Errorf("outcomes/%s.jsonl = %v, want %v", anna.ID, got, tt.wantOutcomes)
			}
			if r, _ := f.records.Get(tenant, anna.ID, "customers", mueller.ID); r.Fields["name"] != tt.wantName {
				t.Errorf("record r1 name = %q, want %q", r.Fields["name"], tt.wantName)
			}
			if _, ok := f.records.Get(tenant, anna.ID, "customers", gone.ID); ok {
				t.Errorf("record r9 is still there, want it deleted")
			}
		})
	}
}

func TestApplyAgainAfterACrashChangesNothingMore(t *testing.T) {
	f := newFixture(t)
	p := f.previewed(t, mueller, gone)
	// The records are written, then the row log cannot be uploaded: the
	// step fails and the workflow runs it again.
	f.files.FailNext("PutFile", crm.Errorf(crm.Unavailable, "file storage is busy"))
	_, err := f.apply().Handle(context.Background(), p)
	checkError(t, "Handle()", err, crm.Unavailable, "file storage is busy")
	writes := len(f.records.Writes())

	res, err := f.apply().Handle(context.Background(), p)
	if err != nil {
		t.Fatalf("Handle() again error = %v", err)
	}
	if want := (crm.Counts{Created: 1, Updated: 1, Deleted: 1}); res.Counts != want {
		t.Errorf("Handle() again counts = %+v, want those of a run without a crash, %+v", res.Counts, want)
	}
	if n := len(f.records.Writes()); n != writes {
		t.Errorf("record writes after the retry = %d, want still %d", n, writes)
	}
	want := map[int]outcome.Status{2: outcome.Updated, 4: outcome.Created, 5: outcome.Error, 0: outcome.Deleted}
	if got := outcomeStatuses(t, f, p); !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes/%s.jsonl = %v, want %v", anna.ID, got, want)
	}
	if j := f.job(t, p.ImportID); j.Done != p.Preview.Total() {
		t.Errorf("job done = %d, want every op of the plan (%d), counted once", j.Done, p.Preview.Total())
	}
}

func (f *fixture) apply() *Apply {
	return &Apply{Files: f.files, Records: f.records, Tenants: f.tenants, Jobs: f.jobs, Leases: f.leases, TmpDir: f.tmp, Log: discard}
}

// changed returns rec as someone else's write leaves it: field set to v,
// one version on.
func changed(rec crm.Record, field, v string) crm.Record {
	fields := maps.Clone(rec.Fields)
	fields[field] = v
	rec.Fields, rec.Version = fields, rec.Version+1
	return rec
}

// outcomeStatuses reads the user's row log: each row's status.
func outcomeStatuses(t *testing.T, f *fixture, p UserPlan) map[int]outcome.Status {
	t.Helper()
	got := map[int]outcome.Status{}
	for _, r := range lines[outcome.Row](t, f.files, p.work().Outcomes(p.User.ID)) {
		if _, dup := got[r.Row]; dup {
			t.Errorf("row %d logged twice", r.Row)
		}
		got[r.Row] = r.Status
	}
	return got
}
