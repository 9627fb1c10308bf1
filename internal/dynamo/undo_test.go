package dynamo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/undo"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestUndoTakesAnImportBack imports creates, updates and deletes through
// Records.Write, edits one record by hand, and undoes the import on moto:
// the dry run's counts are the act's, the edited record is a conflict left
// alone until forced, a re-run answers the same, and only Query and
// TransactWriteItems are used.
func TestUndoTakesAnImportBack(t *testing.T) {
	client, table, calls := newTable(t)
	ctx := context.Background()
	r := newRecords(client, table)
	r.PageLimit = 2 // several pages of before-images
	seed(t, client, table,
		seedRecord{"acme", "u1", "customers", crm.Record{ID: "u-1", Fields: map[string]string{"name": "Old 1"}, Version: 3}},
		seedRecord{"acme", "u1", "customers", crm.Record{ID: "u-2", Fields: map[string]string{"name": "Old 2"}, Version: 1, ImportID: "imp-0"}},
		seedRecord{"acme", "u1", "customers", crm.Record{ID: "d-1", Fields: map[string]string{"name": "Gone"}, Version: 2}},
		seedRecord{"other", "u1", "customers", crm.Record{ID: "u-1", Fields: map[string]string{"name": "Theirs"}, Version: 7}},
	)
	sc := crm.Scope{Tenant: "acme", User: "u1", Entity: "customers", ImportID: "imp-a"}
	cur, err := r.Current(ctx, sc, "a", "z")
	if err != nil {
		t.Fatal(err)
	}
	u1, u2, d1 := cur["u-1"], cur["u-2"], cur["d-1"]
	err = r.Write(ctx, sc, []crm.Write{
		{Kind: crm.WriteCreate, ID: "c-1", Row: 2, Fields: map[string]string{"name": "New"}, Version: 1},
		{Kind: crm.WriteUpdate, ID: "u-1", Row: 3, Fields: map[string]string{"name": "Changed 1"}, Version: 4, Before: &u1},
		{Kind: crm.WriteUpdate, ID: "u-2", Row: 4, Fields: map[string]string{"name": "Changed 2"}, Version: 2, Before: &u2},
		{Kind: crm.WriteDelete, ID: "d-1", Before: &d1},
	})
	if err != nil {
		t.Fatal(err)
	}
	// By hand, after the import.
	seed(t, client, table, seedRecord{"acme", "u1", "customers", crm.Record{ID: "u-2", Fields: map[string]string{"name": "By hand"}, Version: 3}})
	before := scan(t, client, table)
	calls.reset()

	dry, err := undo.Run(ctx, r, "acme", "imp-a", undo.Options{})
	if err != nil {
		t.Fatalf("Run(dry) error %v", err)
	}
	if len(scan(t, client, table)) != len(before) {
		t.Fatalf("Run(dry) changed the table")
	}
	if dry.Deleted != 1 || dry.Restored != 2 || len(dry.Conflicts) != 1 || dry.Conflicts[0].ID != "u-2" {
		t.Fatalf("Run(dry) = %+v, want 1 deleted, 2 restored, conflict u-2", dry)
	}
	if c := dry.Conflicts[0]; c.Now["name"] != "By hand" || c.Undo["name"] != "Old 2" {
		t.Errorf("Run(dry) conflict = %+v, want now By hand, undo Old 2", c)
	}
	act, err := undo.Run(ctx, r, "acme", "imp-a", undo.Options{Act: true})
	if err != nil {
		t.Fatalf("Run(act) error %v", err)
	}
	if act.Deleted != dry.Deleted || act.Restored != dry.Restored || len(act.Conflicts) != len(dry.Conflicts) {
		t.Errorf("Run(act) = %+v, want the dry run's %+v", act, dry)
	}
	after := scan(t, client, table)
	if _, ok := after["T#acme#U#u1|CUSTOMERS#c-1"]; ok {
		t.Errorf("created record c-1 still there after undo")
	}
	for sk, want := range map[string]string{"u-1": "Old 1", "u-2": "By hand", "d-1": "Gone"} {
		got := recordName(t, after["T#acme#U#u1|CUSTOMERS#"+sk])
		if got != want {
			t.Errorf("record %s after undo = %q, want %q", sk, got, want)
		}
	}
	if got := recordName(t, after["T#other#U#u1|CUSTOMERS#u-1"]); got != "Theirs" {
		t.Errorf("other tenant's record = %q, want Theirs", got)
	}
	if n := calls.get("GetItem"); n != 0 {
		t.Errorf("GetItem calls = %d, want 0", n)
	}
	if n := calls.get("TransactWriteItems"); n == 0 {
		t.Errorf("TransactWriteItems calls = 0, want some")
	}

	again, err := undo.Run(ctx, r, "acme", "imp-a", undo.Options{Act: true})
	if err != nil {
		t.Fatalf("Run(again) error %v", err)
	}
	if again.Deleted != act.Deleted || again.Restored != act.Restored || len(again.Conflicts) != len(act.Conflicts) || again.Already != 3 {
		t.Errorf("Run(again) = %+v, want %+v with 3 already undone", again, act)
	}
	forced, err := undo.Run(ctx, r, "acme", "imp-a", undo.Options{Act: true, Force: true})
	if err != nil {
		t.Fatalf("Run(force) error %v", err)
	}
	if forced.Restored != 3 || len(forced.Conflicts) != 1 || !forced.Conflicts[0].Forced {
		t.Errorf("Run(force) = %+v, want 3 restored and u-2 forced", forced)
	}
	if got := recordName(t, scan(t, client, table)["T#acme#U#u1|CUSTOMERS#u-2"]); got != "Old 2" {
		t.Errorf("record u-2 after forced undo = %q, want Old 2", got)
	}
}

func recordName(t *testing.T, item map[string]types.AttributeValue) string {
	t.Helper()
	if item == nil {
		return ""
	}
	var rec recordItem
	if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Fields["name"]
}

func TestSetUndoneOnlyOnAnEndedJob(t *testing.T) {
	client, table, _ := newTable(t)
	ctx := context.Background()
	jobs := NewJobs(client, table)
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-a", Status: crm.Applying}); err != nil {
		t.Fatal(err)
	}
	u := crm.Undone{By: "admin@acme.example", Deleted: 1, Restored: 2, Conflicts: 1}
	if err := jobs.SetUndone(ctx, "acme", "imp-a", u); crm.KindOf(err) != crm.Conflict {
		t.Fatalf("SetUndone(running) = %v, want Conflict", err)
	}
	if err := jobs.Update(ctx, "acme", "imp-a", crm.JobChange{Status: crm.Failed}); err != nil {
		t.Fatal(err)
	}
	u.At = fixedNow
	if err := jobs.SetUndone(ctx, "acme", "imp-a", u); err != nil {
		t.Fatalf("SetUndone(failed) = %v", err)
	}
	j, err := jobs.Get(ctx, "acme", "imp-a")
	if err != nil {
		t.Fatal(err)
	}
	if j.Undone == nil || *j.Undone != u {
		t.Errorf("Get().Undone = %+v, want %+v", j.Undone, u)
	}
}

// TestUndoRequestCounts undoes an import of 250 new records and counts
// its calls: 10 TransactWriteItems of 25 (as many as apply's BatchWriteItem
// calls for the records), a few Queries, no GetItem. 250, not more: moto
// copies the whole table for every transaction (to roll it back), so its
// time grows with the table, which DynamoDB's does not.
func TestUndoRequestCounts(t *testing.T) {
	client, table, calls := newTable(t)
	ctx := context.Background()
	r := newRecords(client, table)
	sc := crm.Scope{Tenant: "acme", User: "u1", Entity: "customers", ImportID: "imp-big"}
	writes := make([]crm.Write, 250)
	for i := range writes {
		writes[i] = crm.Write{Kind: crm.WriteCreate, ID: fmt.Sprintf("c-%04d", i), Row: i + 2, Fields: map[string]string{"name": fmt.Sprintf("Customer %d", i)}, Version: 1}
	}
	start := time.Now()
	if err := r.Write(ctx, sc, writes); err != nil {
		t.Fatal(err)
	}
	wrote := time.Since(start)
	applied := calls.get("BatchWriteItem")
	calls.reset()
	start = time.Now()
	res, err := undo.Run(ctx, r, "acme", "imp-big", undo.Options{Act: true})
	undid := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 250 || len(res.Conflicts) != 0 {
		t.Errorf("Run() = %d deleted, %d conflicts, want 250, 0", res.Deleted, len(res.Conflicts))
	}
	tx, q := calls.get("TransactWriteItems"), calls.get("Query")
	// Times are logged, not asserted: the ratio is what to compare.
	t.Logf("undo of 250 created records: %d TransactWriteItems, %d Query, %d GetItem in %v; apply's write: %d BatchWriteItem in %v (ratio %.1f)",
		tx, q, calls.get("GetItem"), undid.Round(time.Millisecond), applied, wrote.Round(time.Millisecond), undid.Seconds()/wrote.Seconds())
	if tx != 10 || calls.get("GetItem") != 0 || q > 10 {
		t.Errorf("calls = %d TransactWriteItems, %d Query, %d GetItem; want 10, at most 10, 0", tx, q, calls.get("GetItem"))
	}
	if n := len(scan(t, client, table)); n != 250 {
		t.Errorf("items left = %d, want the 250 before-images only", n)
	}
}
