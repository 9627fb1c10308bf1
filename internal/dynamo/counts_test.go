package dynamo

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/plan"
)

// TestRequestCounts measures the DynamoDB requests of an import of 1,000
// rows for one user: BatchWriteItem calls per 1,000 created and updated
// rows (40 is the floor for the records themselves), Query pages, and no
// GetItem at all. Run with -v to see the figures.
func TestRequestCounts(t *testing.T) {
	client, table, c := newTable(t)
	seed(t, client, table, seedRecord{"acme", "ben", "customer", crm.Record{ID: "b1", Version: 1, Fields: map[string]string{"customer_no": "1"}}})
	var rows []crm.Row
	for i := 1; i <= 1000; i++ {
		rows = append(rows, row(i+1, "customer_no", fmt.Sprint(i), "name", fmt.Sprintf("Kunde %d", i), "notes", strings.Repeat("x", 1500)))
	}
	for _, step := range []struct {
		name string
		mode crm.Mode
		edit func(crm.Row) crm.Row
	}{
		{"create", crm.Update, func(r crm.Row) crm.Row { return r }},
		{"update", crm.Update, func(r crm.Row) crm.Row {
			r.Fields["phone"] = fmt.Sprintf("+4930%d", r.Number)
			return r
		}},
	} {
		c.reset()
		f := &faultyAPI{API: client}
		r := newRecords(f, table)
		var in []crm.Row
		for _, rw := range rows {
			in = append(in, step.edit(rw))
		}
		ctx := context.Background()
		existing, err := r.Query(ctx, "acme", "anna", "customer")
		if err != nil {
			t.Fatal(err)
		}
		planPages := c.get("Query")
		p, err := plan.Build(existing, in, plan.Options{ImportID: "imp-" + step.name, User: "anna", Entity: "customer", Mode: step.mode, KeyFields: []string{"customer_no"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := apply.Run(ctx, r, apply.Input{Scope: crm.Scope{Tenant: "acme", User: "anna", Entity: "customer", ImportID: "imp-" + step.name}, Ops: plan.Ops(p.Ops)})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if res.Created+res.Updated != 1000 {
			t.Fatalf("%s: apply.Run() = %+v, want 1000 rows written", step.name, res)
		}
		t.Logf("%s 1000 rows: BatchWriteItem %d calls (records %d, before-images %d); Query %d pages (plan %d, apply re-check %d); GetItem %d",
			step.name, c.get("BatchWriteItem"), f.recordBatches, f.beforeBatches, c.get("Query"),
			planPages, c.get("Query")-planPages, c.get("GetItem"))
		if f.recordBatches != 40 {
			t.Errorf("%s: %d BatchWriteItem calls for 1000 records, want 40", step.name, f.recordBatches)
		}
		// An updated record's image holds its old item: 40 batches for
		// 1,000. Created records have none: their IDs go on one image
		// per chunk of 100, an UpdateItem each.
		wantBatches, wantCreated := 40, 0
		if step.name == "create" {
			wantBatches, wantCreated = 0, 10
		}
		if f.beforeBatches != wantBatches || f.createdImages != wantCreated {
			t.Errorf("%s: %d BatchWriteItem calls and %d UpdateItem calls for 1000 before-images, want %d and %d", step.name, f.beforeBatches, f.createdImages, wantBatches, wantCreated)
		}
		if n := c.get("GetItem") + c.get("BatchGetItem"); n != 0 {
			t.Errorf("%s: %d GetItem calls, want 0", step.name, n)
		}
	}
}

// A user's records come back whole across Query pages, without other
// users' records or other entities.
func TestQueryPages(t *testing.T) {
	client, table, c := newTable(t)
	var recs []seedRecord
	for i := range 1000 {
		recs = append(recs, seedRecord{"acme", "anna", "customer", crm.Record{ID: fmt.Sprintf("c%04d", i), Version: 1,
			Fields: map[string]string{"customer_no": fmt.Sprint(i), "notes": strings.Repeat("y", 1500)}}})
	}
	recs = append(recs,
		seedRecord{"acme", "anna", "contact", crm.Record{ID: "k1", Version: 1, Fields: map[string]string{"name": "Eva"}}},
		seedRecord{"acme", "annabel", "customer", crm.Record{ID: "x1", Version: 1, Fields: map[string]string{"name": "Not Anna's"}}},
		seedRecord{"other", "anna", "customer", crm.Record{ID: "x2", Version: 1, Fields: map[string]string{"name": "Other tenant"}}},
	)
	seed(t, client, table, recs...)
	for _, limit := range []int32{0, 300} {
		c.reset()
		r := newRecords(client, table)
		r.PageLimit = limit
		got, err := r.Query(context.Background(), "acme", "anna", "customer")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1000 {
			t.Errorf("Query(limit %d) = %d records, want 1000", limit, len(got))
		}
		for _, rec := range got {
			if rec.Entity != "customer" || !strings.HasPrefix(rec.ID, "c") {
				t.Errorf("Query(limit %d) returned %+v, not one of Anna's customers", limit, rec)
				break
			}
		}
		t.Logf("Query of 1000 records of ~1.6 KB, page limit %d: %d pages", limit, c.get("Query"))
		if limit == 300 && c.get("Query") != 4 {
			t.Errorf("Query(limit 300) took %d pages, want 4", c.get("Query"))
		}
	}
}

func TestQueryRefusesKeyInjection(t *testing.T) {
	client, table, _ := newTable(t)
	r := newRecords(client, table)
	for _, user := range []string{"", "anna#CUSTOMER", "x#U#y"} {
		if _, err := r.Query(context.Background(), "acme", user, "customer"); err == nil {
			t.Errorf("Query(user %q) error = nil, want a refusal", user)
		}
	}
}
