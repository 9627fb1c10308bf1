package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
)

// undoAnswer is what POST /imports/{id}/undo answers, as the test compares
// it: the counts and the conflicts' IDs.
type undoAnswer struct {
	DryRun    bool `json:"dryRun"`
	Deleted   int  `json:"deleted"`
	Restored  int  `json:"restored"`
	Total     int  `json:"conflictsTotal"`
	Conflicts []struct {
		ID     string            `json:"id"`
		User   string            `json:"user"`
		Now    map[string]string `json:"now"`
		Undo   map[string]string `json:"undo"`
		Forced bool              `json:"forced"`
	} `json:"conflicts"`
	Undo *crm.UndoRun `json:"undo"`
}

// undo sends POST /imports/{id}/undo: the dry run answers 200; a
// confirmed undo 202 with its run, which runs as its own workflow: undo
// then waits for it to end and answers GET /imports/{id}/undo, the counts
// and conflicts of the run.
func (w *wizard) undo(t *testing.T, id string, body map[string]any) undoAnswer {
	t.Helper()
	var out undoAnswer
	code := sendJSON(t, http.MethodPost, w.api+"/imports/"+id+"/undo", w.token, body, &out)
	if confirm, _ := body["confirm"].(bool); !confirm {
		if code != http.StatusOK {
			t.Fatalf("POST /imports/%s/undo %v = %d %+v, want 200", id, body, code, out)
		}
		return out
	}
	if code != http.StatusAccepted || out.Undo == nil || out.Undo.Status != crm.UndoRunning {
		t.Fatalf("POST /imports/%s/undo %v = %d %+v, want 202 with the run RUNNING", id, body, code, out)
	}
	return w.undoEnded(t, id)
}

// undoEnded waits for the import's undo run to end and answers it.
func (w *wizard) undoEnded(t *testing.T, id string) undoAnswer {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var out undoAnswer
		if code := call(t, w.api+"/imports/"+id+"/undo", w.token, &out); code != http.StatusOK {
			t.Fatalf("GET /imports/%s/undo = %d %+v, want 200", id, code, out)
		}
		if out.Undo.Status != crm.UndoRunning {
			if out.Undo.Status != crm.UndoSucceeded {
				t.Fatalf("undo of %s ended %s (%s), want SUCCEEDED", id, out.Undo.Status, out.Undo.Reason)
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("undo of %s still RUNNING after 2 minutes: %+v", id, out.Undo)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// counts is the table of an undo answer: deleted, restored, conflicts.
func (u undoAnswer) counts() [3]int { return [3]int{u.Deleted, u.Restored, u.Total} }

// TestUndoTakesImportABack: import A (two users, update with deletion),
// edit one of its records by hand, then undo A through the API: the dry
// run lists the edited record as a conflict and counts what the act does;
// the act deletes what A created and puts back what it updated or deleted,
// leaving the edited record alone; again, the same table; forced, the
// edited record is taken back too. The other tenant's items stay as they
// were, item by item.
func TestUndoTakesImportABack(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	ctx := context.Background()
	tn, other := seedTenants(t, st, numbered)
	otherBefore := st.tenantItems(t, other)
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "update_delete", "key_fields": ["customer_number"], `+byAgent+`}`,
		"Customer number,Name,City,Email,Agent email\n"+
			"C-1,Müller GmbH,Potsdam,,anna.berg@demo.example\n"+ // updated
			"C-2,Rossi S.r.l.,Roma,,anna.berg@demo.example\n"+ // unchanged: no before-image
			"C-6,Neu GmbH,Hamburg,,anna.berg@demo.example\n"+ // created
			"C-5,Kowalski Sp. z o.o.,Kraków,,bo@demo.example\n") // bo's others are deleted
	checkCounts(t, j, crm.Counts{Rows: 4, Created: 1, Updated: 1, Unchanged: 2, Deleted: 7})

	// By hand, after A: anna's C-1, which A updated.
	byHand := map[string]string{"customer_number": "C-1", "name": "Müller GmbH", "city": "Leipzig"}
	handItem, err := attributevalue.MarshalMap(storedRecord{
		PK: dynamo.UserPK(tn, anna.ID), SK: dynamo.RecordSK(customers, seedPrefix+"c1"),
		Entity: customers, ID: seedPrefix + "c1", Fields: byHand, Version: 6,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: handItem}); err != nil {
		t.Fatalf("PutItem(by hand) = %v", err)
	}
	afterA := st.userTable(t, tn, anna.ID, "customer_number")

	admin := newWizard(t, st, tn)
	undo := func(body map[string]any) undoAnswer {
		t.Helper()
		return admin.undo(t, j.ID, body)
	}

	// The dry run: A's creation deleted, its update and 7 deletions put
	// back but for the edited C-1, which is a conflict; nothing written.
	dry := undo(map[string]any{})
	if want := [3]int{1, 7, 1}; dry.counts() != want || !dry.DryRun {
		t.Errorf("dry run = %v (dry %v), want %v", dry.counts(), dry.DryRun, want)
	}
	if len(dry.Conflicts) != 1 || dry.Conflicts[0].ID != seedPrefix+"c1" || dry.Conflicts[0].Now["city"] != "Leipzig" || dry.Conflicts[0].Undo["city"] != "Berlin" {
		t.Errorf("dry run conflicts = %+v, want seed-c1 now Leipzig, undo Berlin", dry.Conflicts)
	}
	st.checkTable(t, tn, anna.ID, "customer_number", afterA)

	act := undo(map[string]any{"confirm": true})
	if act.counts() != dry.counts() || act.DryRun {
		t.Errorf("undo = %v, want the dry run's %v", act.counts(), dry.counts())
	}
	seededHand := asTable(numbered)
	seededHand[seedPrefix+"c1"] = item{Entity: customers, Fields: byHand, Version: 6}
	st.checkTable(t, tn, anna.ID, "customer_number", seededHand)
	st.checkTable(t, tn, bo.ID, "customer_number", asTable(numbered))

	if again := undo(map[string]any{"confirm": true}); again.counts() != act.counts() {
		t.Errorf("undo again = %v, want the same table %v", again.counts(), act.counts())
	}
	st.checkTable(t, tn, anna.ID, "customer_number", seededHand)

	// The CLI, run twice, prints the same table: the counts, and the
	// edited record's city now and as undo would write it.
	c := newCLI(t, st).signedIn(t, st, tn, tn+"-cli@demo.example", "administrator")
	tables := make([]string, 2)
	for i := range tables {
		tables[i] = withoutLine(c.ok(t, "undo", j.ID, "--yes"), "Undone ")
	}
	if tables[0] != tables[1] {
		t.Errorf("crmimport undo %s --yes twice printed\n%s\nthen\n%s\nwant the same", j.ID, tables[0], tables[1])
	}
	cells := strings.Join(strings.Fields(tables[0]), " ") // padding aside
	for _, want := range []string{"│ 1 │ 7 │ 1 │", "│ u-anna │ customers │ seed-c1 │ city │ Leipzig │ Berlin │ changed since the import │"} {
		if !strings.Contains(cells, want) {
			t.Errorf("crmimport undo %s --yes printed\n%s\nwant %q", j.ID, tables[0], want)
		}
	}
	st.checkTable(t, tn, anna.ID, "customer_number", seededHand)

	forced := undo(map[string]any{"confirm": true, "force": true})
	if want := [3]int{1, 8, 1}; forced.counts() != want || len(forced.Conflicts) != 1 || !forced.Conflicts[0].Forced {
		t.Errorf("forced undo = %v %+v, want %v with seed-c1 forced", forced.counts(), forced.Conflicts, want)
	}
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered))
	st.checkTable(t, tn, bo.ID, "customer_number", asTable(numbered))

	var view struct {
		Undone *crm.Undone `json:"undone"`
	}
	if code := call(t, admin.api+"/imports/"+j.ID, admin.token, &view); code != http.StatusOK || view.Undone == nil ||
		view.Undone.By != tn+"-admin@demo.example" || !view.Undone.Forced || view.Undone.Restored != 8 {
		t.Errorf("GET /imports/%s = %d, undone %+v, want undone (forced) by %s-admin@demo.example", j.ID, code, view.Undone, tn)
	}
	if diff := cmp.Diff(otherBefore, st.tenantItems(t, other)); diff != "" {
		t.Errorf("the other tenant's items changed (-before +after):\n%s", diff)
	}
}

// TestUndoIsForAdministratorsOfAnEndedImport: a user (not an
// administrator) is refused in words, and a running import cannot be
// undone yet.
func TestUndoIsForAdministratorsOfAnEndedImport(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	st.saveConfig(t, tn, isolatedConfig, keepName)
	admin := newWizard(t, st, tn)
	id := admin.startAttended(t, "agents.csv", []byte("Customer number,Name,Agent email\nU-1,One,"+anna.Email+"\n"), isolatedConfig)
	admin.waitFor(t, id, crm.ForSelection, "")
	var answer map[string]any
	if code := sendJSON(t, http.MethodPost, admin.api+"/imports/"+id+"/undo", admin.token, map[string]any{}, &answer); code != http.StatusConflict {
		t.Errorf("undo of a waiting import = %d %v, want 409", code, answer)
	}
	idp := cip.NewFromConfig(st.cloud.AWS)
	user := loginAs(t, idp, st.cloud.Output(t, "USER_POOL_ID"), st.cloud.Output(t, "USER_POOL_CLIENT_ID"), tn, tn+"-user", "user")
	if code := sendJSON(t, http.MethodPost, admin.api+"/imports/"+id+"/undo", user, map[string]any{"confirm": true}, &answer); code != http.StatusForbidden ||
		answer["message"] != "only administrators may undo an import" {
		t.Errorf("undo by a user = %d %v, want 403 only administrators may undo an import", code, answer)
	}
}

// tenantItems reads every item of a tenant (its users' records, its jobs,
// users and configurations), keyed by "pk|sk", decoded for comparison.
func (st *stack) tenantItems(t *testing.T, tenantID string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	p := dynamodb.NewScanPaginator(st.db, &dynamodb.ScanInput{
		TableName:                 &st.table,
		ConsistentRead:            aws.Bool(true),
		FilterExpression:          aws.String("pk = :t OR begins_with(pk, :p)"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":t": &dbtypes.AttributeValueMemberS{Value: "T#" + tenantID}, ":p": &dbtypes.AttributeValueMemberS{Value: "T#" + tenantID + "#"}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Scan items of %s: %v", tenantID, err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			out[m["pk"].(string)+"|"+m["sk"].(string)] = m
		}
	}
	if len(out) == 0 {
		t.Fatalf("tenant %s has no items to compare", tenantID)
	}
	return out
}

// withoutLine drops the lines of out that start with prefix.
func withoutLine(out, prefix string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, prefix) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
