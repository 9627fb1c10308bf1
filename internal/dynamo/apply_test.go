package dynamo

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

// The seeded table: Anna's three customers and a contact, and Ben's
// customer with the same customer number as Anna's first.
var seeded = []seedRecord{
	{"acme", "anna", "customer", crm.Record{ID: "c1", Version: 3, ImportID: "old", Fields: map[string]string{
		"customer_no": "1001", "name": "Müller GmbH", "street": "Hauptstr. 1", "postcode": "10115", "last_visit": "2026-05-10", "phone": "+4930111"}}},
	{"acme", "anna", "customer", crm.Record{ID: "c2", Version: 1, Fields: map[string]string{
		"customer_no": "1002", "name": "Müller GmbH", "street": "Bahnhofstr. 9", "postcode": "80331"}}},
	{"acme", "anna", "customer", crm.Record{ID: "c3", Version: 7, Fields: map[string]string{
		"customer_no": "1003", "name": "Schmidt AG", "street": "Ring 3", "postcode": "50667", "last_visit": "2026-01-15"}}},
	{"acme", "anna", "contact", crm.Record{ID: "k1", Version: 1, Fields: map[string]string{"name": "Eva"}}},
	{"acme", "ben", "customer", crm.Record{ID: "c9", Version: 2, Fields: map[string]string{"customer_no": "1001", "name": "Ben's Müller"}}},
}

// seededTable is the seeded table as records() renders it.
func seededTable() map[string]string {
	return map[string]string{
		"T#acme#U#anna|CUSTOMER#c1": "v3 old customer_no=1001 last_visit=2026-05-10 name=Müller GmbH phone=+4930111 postcode=10115 street=Hauptstr. 1",
		"T#acme#U#anna|CUSTOMER#c2": "v1  customer_no=1002 name=Müller GmbH postcode=80331 street=Bahnhofstr. 9",
		"T#acme#U#anna|CUSTOMER#c3": "v7  customer_no=1003 last_visit=2026-01-15 name=Schmidt AG postcode=50667 street=Ring 3",
		"T#acme#U#anna|CONTACT#k1":  "v1  name=Eva",
		"T#acme#U#ben|CUSTOMER#c9":  "v2  customer_no=1001 name=Ben's Müller",
	}
}

func row(n int, kv ...string) crm.Row {
	r := crm.Row{Number: n, Fields: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		r.Fields[kv[i]] = kv[i+1]
	}
	return r
}

func newID(r crm.Row) string { return fmt.Sprintf("n%d", r.Number) }

func TestApplyModes(t *testing.T) {
	byNumber := plan.Options{Entity: "customer", KeyFields: []string{"customer_no"}, NewID: newID,
		Kinds: map[string]plan.Kind{"last_visit": plan.Date, "visit_interval": plan.Number}}
	byAddress := byNumber
	byAddress.KeyFields = []string{"name", "street", "postcode"}
	byAddress.Policies = map[string]crm.Policy{"last_visit": crm.OverwriteIfGreater}
	withMode := func(o plan.Options, m crm.Mode) plan.Options { o.Mode = m; return o }

	tests := []struct {
		name     string
		opts     plan.Options
		rows     []crm.Row
		changed  map[string]string // items that differ from the seeded table; "" = deleted
		statuses map[int]outcome.Status
	}{
		{
			name: "add creates new keys and leaves existing ones alone",
			opts: withMode(byNumber, crm.Add),
			rows: []crm.Row{row(2, "customer_no", "1001", "name", "Other"), row(3, "customer_no", "2000", "name", "Neu KG")},
			changed: map[string]string{
				"T#acme#U#anna|CUSTOMER#n3": "v1 imp customer_no=2000 name=Neu KG",
			},
			statuses: map[int]outcome.Status{2: outcome.Skipped, 3: outcome.Created},
		},
		{
			name: "update with a wildcard key, an ambiguous row and overwrite if greater",
			opts: withMode(byAddress, crm.Update),
			rows: []crm.Row{
				row(2, "name", "MÜLLER GMBH", "street", "", "postcode", "80331", "phone", "+4989"),
				row(3, "name", "Müller GmbH", "street", "", "postcode", "", "phone", "+4900"),
				row(4, "name", "Schmidt AG", "street", "Ring 3", "postcode", "50667", "last_visit", "2026-01-01", "visit_interval", "14"),
				row(5, "name", "Weber KG", "street", "Domplatz 2", "postcode", "50667", "last_visit", "2026-02-02"),
			},
			changed: map[string]string{
				"T#acme#U#anna|CUSTOMER#c2": "v2 imp customer_no=1002 name=Müller GmbH phone=+4989 postcode=80331 street=Bahnhofstr. 9",
				"T#acme#U#anna|CUSTOMER#c3": "v8 imp customer_no=1003 last_visit=2026-01-15 name=Schmidt AG postcode=50667 street=Ring 3 visit_interval=14",
				"T#acme#U#anna|CUSTOMER#n5": "v1 imp last_visit=2026-02-02 name=Weber KG postcode=50667 street=Domplatz 2",
			},
			statuses: map[int]outcome.Status{2: outcome.Updated, 3: outcome.Error, 4: outcome.Updated, 5: outcome.Created},
		},
		{
			name: "update only never creates",
			opts: withMode(byNumber, crm.UpdateOnly),
			rows: []crm.Row{row(2, "customer_no", "1003", "phone", "+49221"), row(3, "customer_no", "3000", "name", "Neu")},
			changed: map[string]string{
				"T#acme#U#anna|CUSTOMER#c3": "v8 imp customer_no=1003 last_visit=2026-01-15 name=Schmidt AG phone=+49221 postcode=50667 street=Ring 3",
			},
			statuses: map[int]outcome.Status{2: outcome.Updated, 3: outcome.Skipped},
		},
		{
			name: "update with deletion removes exactly the user's absent records of the entity",
			opts: withMode(byNumber, crm.UpdateDelete),
			rows: []crm.Row{row(2, "customer_no", "1001", "visit_interval", "7")},
			changed: map[string]string{
				"T#acme#U#anna|CUSTOMER#c1": "v4 imp customer_no=1001 last_visit=2026-05-10 name=Müller GmbH phone=+4930111 postcode=10115 street=Hauptstr. 1 visit_interval=7",
				"T#acme#U#anna|CUSTOMER#c2": "",
				"T#acme#U#anna|CUSTOMER#c3": "",
			},
			statuses: map[int]outcome.Status{2: outcome.Updated},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, table, _ := newTable(t)
			seed(t, client, table, seeded...)
			r := newRecords(client, table)
			_, outcomes, err := importUser(t, r, "acme", "anna", "imp", tt.opts, tt.rows)
			if err != nil {
				t.Fatalf("apply.Run() error = %v", err)
			}
			want := seededTable()
			for k, v := range tt.changed {
				if v == "" {
					delete(want, k)
				} else {
					want[k] = v
				}
			}
			diffTables(t, records(t, client, table), want)
			for _, o := range outcomes {
				if w, ok := tt.statuses[o.Row]; ok && o.Status != w {
					t.Errorf("row %d status = %s (%s), want %s", o.Row, o.Status, o.Reason, w)
				}
			}
		})
	}
}

func TestApplyWritesBeforeImages(t *testing.T) {
	client, table, _ := newTable(t)
	seed(t, client, table, seeded...)
	r := newRecords(client, table)
	o := plan.Options{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}, NewID: newID}
	rows := []crm.Row{row(2, "customer_no", "1001", "phone", "+49301"), row(3, "customer_no", "2000")}
	if _, _, err := importUser(t, r, "acme", "anna", "imp", o, rows); err != nil {
		t.Fatal(err)
	}
	items := scan(t, client, table)
	type image struct {
		Existed      bool           `dynamodbav:"existed"`
		VersionAfter int64          `dynamodbav:"version_after"`
		TTL          int64          `dynamodbav:"ttl"`
		Item         map[string]any `dynamodbav:"item"`
	}
	want := map[string]struct {
		existed      bool
		versionAfter int64
		version      float64 // of the old item
	}{
		"BEFORE#anna#CUSTOMER#c1": {true, 4, 3},
		"BEFORE#anna#CUSTOMER#c2": {true, 0, 1},
		"BEFORE#anna#CUSTOMER#c3": {true, 0, 7},
		// The chunk's creates (n3) on one image, under its lowest ID.
		"BEFORE#anna#CUSTOMER#c1#CREATED": {false, 1, 0},
	}
	got := 0
	for k, item := range items {
		sk, ok := strings.CutPrefix(k, "T#acme#IMPORT#imp|")
		if !ok {
			continue
		}
		got++
		w, ok := want[sk]
		if !ok {
			t.Errorf("before-image %s, want none", sk)
			continue
		}
		var im image
		if err := attributevalue.UnmarshalMap(item, &im); err != nil {
			t.Fatal(err)
		}
		if im.Existed != w.existed || im.VersionAfter != w.versionAfter {
			t.Errorf("before-image %s = existed %v, version_after %d; want %v, %d", sk, im.Existed, im.VersionAfter, w.existed, w.versionAfter)
		}
		if ids, _ := item["ids"].(*types.AttributeValueMemberSS); !w.existed && (ids == nil || len(ids.Value) != 1 || ids.Value[0] != "n3") {
			t.Errorf("before-image %s ids = %v, want [n3]", sk, item["ids"])
		}
		if w.existed && im.Item["version"] != w.version {
			t.Errorf("before-image %s old version = %v, want %v", sk, im.Item["version"], w.version)
		}
		if wantTTL := fixedNow.Add(defaultBeforeImageTTL).Unix(); im.TTL != wantTTL {
			t.Errorf("before-image %s ttl = %d, want %d", sk, im.TTL, wantTTL)
		}
	}
	if got != len(want) {
		t.Errorf("%d before-images, want %d", got, len(want))
	}
}

// An item attribute the CRM stores beside the import's ones survives an update.
func TestApplyKeepsUnknownAttributes(t *testing.T) {
	client, table, _ := newTable(t)
	seed(t, client, table, seeded[:1]...)
	_, err := client.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "T#acme#U#anna"}, "sk": &types.AttributeValueMemberS{Value: "CUSTOMER#c1"},
		},
		UpdateExpression:          aws.String("SET created_by = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: "eva"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := plan.Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no"}}
	if _, _, err := importUser(t, newRecords(client, table), "acme", "anna", "imp", o, []crm.Row{row(2, "customer_no", "1001", "phone", "+1")}); err != nil {
		t.Fatal(err)
	}
	item := scan(t, client, table)["T#acme#U#anna|CUSTOMER#c1"]
	if got := s(item["created_by"]); got != "eva" {
		t.Errorf("created_by after update = %q, want %q", got, "eva")
	}
}

// A record changed after the preview is reported as a conflict and keeps
// the change; the other rows are applied.
func TestApplyDetectsConcurrentChange(t *testing.T) {
	client, table, _ := newTable(t)
	seed(t, client, table, seeded...)
	r := newRecords(client, table)
	ctx := context.Background()
	existing, err := r.Query(ctx, "acme", "anna", "customer")
	if err != nil {
		t.Fatal(err)
	}
	o := plan.Options{ImportID: "imp", User: "anna", Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}}
	p, err := plan.Build(existing, []crm.Row{row(2, "customer_no", "1001", "phone", "+1"), row(3, "customer_no", "1002", "phone", "+2")}, o)
	if err != nil {
		t.Fatal(err)
	}
	// While the tenant looks at the preview, a salesperson edits c1 and c3
	// (the latter planned for deletion).
	edited := map[string]string{}
	for _, sr := range []seedRecord{
		{"acme", "anna", "customer", crm.Record{ID: "c1", Version: 4, Fields: map[string]string{"customer_no": "1001", "phone": "+999"}}},
		{"acme", "anna", "customer", crm.Record{ID: "c3", Version: 8, Fields: map[string]string{"customer_no": "1003", "phone": "+333"}}},
	} {
		seed(t, client, table, sr)
	}
	maps.Copy(edited, records(t, client, table))
	var conflicts []int
	var reasons []string
	res, err := apply.Run(ctx, r, apply.Input{Scope: crm.Scope{Tenant: "acme", User: "anna", Entity: "customer", ImportID: "imp"}, Ops: plan.Ops(p.Ops),
		Outcome: func(o outcome.Row) error {
			if o.Status == outcome.Conflict {
				conflicts = append(conflicts, o.Row)
				reasons = append(reasons, o.Reason)
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 2 || res.Updated != 1 {
		t.Errorf("apply.Run() = %+v, want 2 conflicts and 1 update", res)
	}
	if !reflect.DeepEqual(conflicts, []int{2, 0}) {
		t.Errorf("conflicting rows = %v, want [2 0] (row 2 and the delete)", conflicts)
	}
	if !strings.Contains(reasons[0], "record c1 was changed by someone after the preview (version 3, now 4)") {
		t.Errorf("conflict reason = %q, want it to name the record and versions", reasons[0])
	}
	got := records(t, client, table)
	for _, k := range []string{"T#acme#U#anna|CUSTOMER#c1", "T#acme#U#anna|CUSTOMER#c3"} {
		if got[k] != edited[k] {
			t.Errorf("item %s = %q, want the salesperson's %q", k, got[k], edited[k])
		}
	}
	if want := "v2 imp customer_no=1002 name=Müller GmbH phone=+2 postcode=80331 street=Bahnhofstr. 9"; got["T#acme#U#anna|CUSTOMER#c2"] != want {
		t.Errorf("item c2 = %q, want %q", got["T#acme#U#anna|CUSTOMER#c2"], want)
	}
}
