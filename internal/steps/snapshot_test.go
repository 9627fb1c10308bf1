package steps

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/duplicates"
)

// Finalize takes the records of a user the Map applied as planned from the
// snapshot its preview wrote, and finds the pairs that reading them back
// finds; a user whose apply met a record changed since the preview is read
// back, as is every user outside the Map.
func TestFinalizeFindsDuplicatesInTheSnapshotsOfTheMapsUsers(t *testing.T) {
	tests := []struct {
		name string
		// meanwhile runs between preview and apply.
		meanwhile   func(*fixture)
		wantQueried []string
		wantPairs   int
	}{
		{name: "applied as planned: the snapshot, not the records", wantQueried: []string{bo.ID}, wantPairs: 1},
		{
			name:        "a conflict: the user's records are read",
			meanwhile:   func(f *fixture) { f.records.Put(tenant, anna.ID, changed(mueller, "name", "Müller & Söhne GmbH")) },
			wantQueried: []string{anna.ID, bo.ID},
			wantPairs:   0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			// bo's customer shares the e-mail the file gives Müller GmbH.
			f.records.Put(tenant, bo.ID, crm.Record{Entity: "customers", ID: "b1", ImportID: "old",
				Fields: map[string]string{"name": "Müller Berlin", "email": "INFO@mueller.example"}})
			// anna's Neu AG is as the file has it: unchanged, in the
			// snapshot as it was.
			neu := crm.Record{Entity: "customers", ID: "r5", Version: 2, ImportID: "old",
				Fields: map[string]string{"customer_number": "1005", "name": "Neu AG", "agent_email": "anna@acme.example"}}
			p := f.previewed(t, mueller, gone, neu)
			if tt.meanwhile != nil {
				tt.meanwhile(f)
			}
			res, err := f.apply().Handle(ctx, p)
			if err != nil {
				t.Fatalf("Apply.Handle() error = %v", err)
			}
			if res.Counts.Unchanged != 1 {
				t.Fatalf("Apply.Handle() counts = %+v, want Neu AG unchanged", res.Counts)
			}
			s := State{ImportID: p.ImportID, Tenant: tenant, Entity: "customers", Rows: 4, Invalid: 1}
			s = f.mapped(t, s, []crm.UserRef{p.User}, []crm.UserResult{res})
			before := len(f.records.Queries())
			if _, err := f.finalize().Handle(ctx, s); err != nil {
				t.Fatalf("Finalize.Handle() error = %v", err)
			}
			queried := f.records.Queries()[before:]
			slices.Sort(queried)
			if !slices.Equal(queried, tt.wantQueried) {
				t.Errorf("finalize read the records of %v, want %v", queried, tt.wantQueried)
			}

			var got duplicates.Report
			readWorkJSON(t, f, s.work().Duplicates(), &got)
			read := duplicates.New(s.ImportID, s.Entity)
			for _, u := range []string{anna.ID, bo.ID} {
				recs, _ := f.records.Query(ctx, tenant, u, "customers")
				for _, r := range recs {
					read.Add(u, r)
				}
			}
			if want := read.Report(); !reflect.DeepEqual(got, want) || got.Total != tt.wantPairs {
				t.Errorf("report = %+v\nwant %+v (of the records read back), %d pairs", got, want, tt.wantPairs)
			}
		})
	}
}
