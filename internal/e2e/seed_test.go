package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

// seedImport is the import_id of records a test puts in the table itself.
const seedImport = "seed"

// seedPrefix starts the ID of every seeded record, so the comparison tells
// them from the records an import creates, whose IDs the planner chooses.
const seedPrefix = "seed-"

// seeded is a record as it exists before an import.
type seeded struct {
	Entity  string
	ID      string // without seedPrefix
	Version int64
	Fields  map[string]string
}

// storedRecord is the stored layout of a record (internal/dynamo/records.go).
type storedRecord struct {
	PK       string            `dynamodbav:"pk"`
	SK       string            `dynamodbav:"sk"`
	Entity   string            `dynamodbav:"entity"`
	ID       string            `dynamodbav:"id"`
	Fields   map[string]string `dynamodbav:"fields"`
	Version  int64             `dynamodbav:"version"`
	ImportID string            `dynamodbav:"import_id"`
}

// seed puts records straight into the table, as earlier imports or the CRM
// itself would have left them.
func (st *stack) seed(t *testing.T, tenantID, user string, recs []seeded) {
	t.Helper()
	for _, r := range recs {
		id := seedPrefix + r.ID
		item, err := attributevalue.MarshalMap(storedRecord{
			PK: dynamo.UserPK(tenantID, user), SK: dynamo.RecordSK(r.Entity, id),
			Entity: r.Entity, ID: id, Fields: r.Fields, Version: r.Version, ImportID: seedImport,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &st.table, Item: item}); err != nil {
			t.Fatalf("seed %s/%s %s: %v", tenantID, user, id, err)
		}
	}
}

// item is what the comparison sees of a record: what an import may change.
type item struct {
	Entity   string
	Fields   map[string]string
	Version  int64
	ImportID string
}

// table maps a user's records by ID; records are keyed by seeded ID, and a
// record an import created by "new " + its value of the field label.
type table map[string]item

// asTable is what the table holds right after seeding recs.
func asTable(recs []seeded) table {
	tb := table{}
	for _, r := range recs {
		tb[seedPrefix+r.ID] = item{Entity: r.Entity, Fields: maps.Clone(r.Fields), Version: r.Version, ImportID: seedImport}
	}
	return tb
}

// update returns tb with the seeded record id changed by import importID:
// the fields in set take their value ("" removes the field), the version
// goes up by one.
func (tb table) update(id, importID string, set map[string]string) table {
	it, ok := tb[seedPrefix+id]
	if !ok {
		panic("update of a record that was not seeded: " + id)
	}
	it.Fields = maps.Clone(it.Fields)
	for f, v := range set {
		if v == "" {
			delete(it.Fields, f)
		} else {
			it.Fields[f] = v
		}
	}
	it.Version++
	it.ImportID = importID
	tb[seedPrefix+id] = it
	return tb
}

// create returns tb with a record import importID created, keyed by label.
func (tb table) create(label, entity, importID string, fields map[string]string) table {
	tb["new "+label] = item{Entity: entity, Fields: fields, Version: 1, ImportID: importID}
	return tb
}

// remove returns tb without the seeded record id.
func (tb table) remove(id string) table {
	delete(tb, seedPrefix+id)
	return tb
}

// clone copies tb, so one expectation can start from another.
func (tb table) clone() table {
	out := make(table, len(tb))
	for k, v := range tb {
		v.Fields = maps.Clone(v.Fields)
		out[k] = v
	}
	return out
}

// userTable reads a user's records (of every entity) as a table; label names the
// field that keys the records an import created.
func (st *stack) userTable(t *testing.T, tenantID, user, label string) table {
	t.Helper()
	tb := table{}
	for _, r := range st.records(t, tenantID, user) {
		if r.SK != dynamo.RecordSK(r.Entity, r.ID) {
			t.Errorf("record %s of %s/%s has sort key %q, want %q", r.ID, tenantID, user, r.SK, dynamo.RecordSK(r.Entity, r.ID))
		}
		key := r.ID
		if !strings.HasPrefix(r.ID, seedPrefix) {
			key = "new " + r.Fields[label]
		}
		if _, dup := tb[key]; dup {
			t.Errorf("two records of %s/%s are keyed %q", tenantID, user, key)
		}
		tb[key] = item{Entity: r.Entity, Fields: r.Fields, Version: r.Version, ImportID: r.ImportID}
	}
	return tb
}

// checkTable compares a user's records item by item with want.
func (st *stack) checkTable(t *testing.T, tenantID, user, label string, want table) {
	t.Helper()
	got := st.userTable(t, tenantID, user, label)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records of %s/%s differ from the expected table (-want +got):\n%s", tenantID, user, diff)
	}
}

// object reads an object of the stack's bucket.
func (st *stack) object(t *testing.T, key string) []byte {
	t.Helper()
	out, err := st.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &st.bucket, Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject(%s): %v", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

// outcomes reads a user's per-row outcome log of an import.
func (st *stack) outcomes(t *testing.T, tenantID, importID, user string) []outcome.Row {
	t.Helper()
	key := crm.Work{Tenant: tenantID, ImportID: importID}.Prefix() + "outcomes/" + user + ".jsonl"
	dec := json.NewDecoder(bytes.NewReader(st.object(t, key)))
	var rows []outcome.Row
	for dec.More() {
		var r outcome.Row
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decode %s: %v", key, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// checkOutcomes checks that a user's outcome log has one line per row with
// the wanted status, and one line per deleted record.
func (st *stack) checkOutcomes(t *testing.T, tenantID, importID, user string, want map[int]outcome.Status, deleted int) {
	t.Helper()
	got := map[int]outcome.Status{}
	deletes := 0
	for _, r := range st.outcomes(t, tenantID, importID, user) {
		if r.Row == 0 {
			if r.Status != outcome.Deleted {
				t.Errorf("outcome without a row = %+v, want only deletes", r)
			}
			deletes++
			continue
		}
		if _, dup := got[r.Row]; dup {
			t.Errorf("outcome log of %s has row %d twice", user, r.Row)
		}
		got[r.Row] = r.Status
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcome log of %s, status by row (-want +got):\n%s", user, diff)
	}
	if deletes != deleted {
		t.Errorf("outcome log of %s has %d deletes, want %d", user, deletes, deleted)
	}
}

// preview reads a user's preview summary of an import.
func (st *stack) preview(t *testing.T, tenantID, importID, user string) plan.Preview {
	t.Helper()
	var s plan.Preview
	key := crm.Work{Tenant: tenantID, ImportID: importID}.Prefix() + "previews/" + user + ".json"
	if err := json.Unmarshal(st.object(t, key), &s); err != nil {
		t.Fatalf("decode %s: %v", key, err)
	}
	return s
}

// errorLines reads the job's error file: its lines after the header, each
// row, column, value, reason.
func (st *stack) errorLines(t *testing.T, j crm.Job) [][]string {
	t.Helper()
	if j.ErrorFile == "" {
		t.Fatalf("job %s has no error file", j.ID)
	}
	data := bytes.TrimPrefix(st.object(t, j.ErrorFile), []byte("\uFEFF"))
	lines, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("error file %s: %v", j.ErrorFile, err)
	}
	if len(lines) == 0 || !cmp.Equal(lines[0], []string{"row", "column", "value", "reason"}) {
		t.Fatalf("error file %s starts %q, want the header row,column,value,reason", j.ErrorFile, lines)
	}
	return lines[1:]
}

// linesOfRow picks the error file's lines about one row.
func linesOfRow(lines [][]string, row string) [][]string {
	var out [][]string
	for _, l := range lines {
		if l[0] == row {
			out = append(out, l)
		}
	}
	return out
}

// beforeImages counts the before-images an import kept.
func (st *stack) beforeImages(t *testing.T, tenantID, importID string) int {
	t.Helper()
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :b)"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{
			":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.ImportPK(tenantID, importID)},
			":b":  &dbtypes.AttributeValueMemberS{Value: "BEFORE#"},
		},
		ConsistentRead: aws.Bool(true),
		Select:         dbtypes.SelectCount,
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Query before-images of %s: %v", importID, err)
		}
		n += int(page.Count)
	}
	return n
}
