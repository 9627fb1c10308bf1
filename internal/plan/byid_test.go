package plan

import (
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// An export of ours uploaded again: rows match on the record's own id,
// which is never stored, and an id no record has updates nothing.
func TestBuildMatchesOnTheRecordsOwnID(t *testing.T) {
	o := Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"crm_id"}, IDField: "crm_id", IDColumn: "ID crm-import"}
	rows := []crm.Row{
		row(2, "crm_id", "c1", "name", "Müller GmbH", "city", "Berlin"), // c1 gains a city
		row(3, "crm_id", "C2", "name", "Müller GmbH"),                   // c2 as it is, the id in another case
		row(4, "crm_id", "gone", "name", "Alt KG"),                      // deleted since the export
	}
	p, err := Build(existing(), rows, o)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range p.Ops {
		got = append(got, describe(op))
		if _, ok := op.Fields["crm_id"]; ok {
			t.Errorf("op %s stores the id as a field: %v", describe(op), op.Fields)
		}
	}
	want := []string{`update row 2 c1 city:""->"Berlin"`, "unchanged row 3 c2", "error row 4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Build() ops = %q, want %q", got, want)
	}
	wantErr := []crm.RowError{{Row: 4, Column: "ID crm-import", Field: "crm_id", Value: "gone",
		Reason: "is the id of none of your records (deleted since the export, or another user's), so the row updates nothing; import new records from a file without this column"}}
	if errs := p.Ops[2].Errors; !reflect.DeepEqual(errs, wantErr) {
		t.Errorf("row 4 errors = %+v, want %+v", errs, wantErr)
	}
	if p.Preview.Errors != 1 || p.Preview.Creates != 0 || p.Preview.Updates != 1 {
		t.Errorf("Preview = %+v, want 1 update, 1 error, no create", p.Preview)
	}
}
