package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/cloudtest"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/export"
)

// waitRestorePoint waits until the import's restore point is on its job.
func (w *wizard) waitRestorePoint(t *testing.T, id string) crm.RestorePoint {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if j, err := w.st.jobs.Get(context.Background(), w.tenant, id); err == nil && j.RestorePoint != nil {
			return *j.RestorePoint
		}
	}
	t.Fatalf("import %s has no restore point after 90 s", id)
	return crm.RestorePoint{}
}

// startRestore starts a restore to the restore point before import point.
func (w *wizard) startRestore(t *testing.T, point string, users []string) apiclient.Restore {
	t.Helper()
	var out struct {
		Restore apiclient.Restore `json:"restore"`
	}
	body := map[string]any{"users": users}
	if code := sendJSON(t, http.MethodPost, w.api+"/restore-points/"+point+"/restore", w.token, body, &out); code != http.StatusAccepted || out.Restore.ID == "" {
		t.Fatalf("POST /restore-points/%s/restore %v = %d %+v, want 202 and the restore", point, body, code, out)
	}
	return out.Restore
}

// waitRestore polls the restore until it is in status (or has ended).
func (w *wizard) waitRestore(t *testing.T, id string, status crm.RestoreStatus) apiclient.Restore {
	t.Helper()
	var r apiclient.Restore
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if code := sendJSON(t, http.MethodGet, w.api+"/restores/"+id, w.token, nil, &r); code != http.StatusOK {
			t.Fatalf("GET /restores/%s = %d %+v, want 200", id, code, r)
		}
		if r.Status == status || r.Status.Terminal() {
			break
		}
	}
	if r.Status != status {
		t.Fatalf("restore %s = %s (%s), want %s", id, r.Status, r.Reason, status)
	}
	return r
}

// pointItems reads a user's items of the restore point's export, by
// pk|sk, as DynamoDB stores them.
func (st *stack) pointItems(t *testing.T, rp crm.RestorePoint, tenantID, user string) map[string]export.Item {
	t.Helper()
	out := map[string]export.Item{}
	for item, err := range export.NewReader(st.s3, st.bucket).Records(context.Background(), rp.Prefix, tenantID) {
		if err != nil {
			t.Fatalf("Records(%s) = %v", rp.Prefix, err)
		}
		if pk, _ := item["pk"].(*dbtypes.AttributeValueMemberS); pk != nil && pk.Value == dynamo.UserPK(tenantID, user) {
			out[itemKey(item)] = item
		}
	}
	return out
}

// userItems reads a user's records as DynamoDB stores them, by pk|sk.
func (st *stack) userItems(t *testing.T, tenantID, user string) map[string]export.Item {
	t.Helper()
	out := map[string]export.Item{}
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("pk = :pk"), ConsistentRead: aws.Bool(true),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.UserPK(tenantID, user)}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Query records of %s/%s: %v", tenantID, user, err)
		}
		for _, it := range page.Items {
			out[itemKey(it)] = it
		}
	}
	return out
}

// changes counts what turned before into after: records put back (absent
// or different before) and records deleted.
func changes(before, after map[string]export.Item) (putBack, deleted int) {
	for k, a := range after {
		if b, ok := before[k]; !ok || !reflect.DeepEqual(a, b) {
			putBack++
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			deleted++
		}
	}
	return putBack, deleted
}

// TestRestoreOneUserToThePointBeforeAnImport is the story: import
// A (two users), a hand edit, import B (update with deletion), a record
// created by hand; then anna alone is restored to the restore point taken
// before B: the dry run's counts, nothing written before the
// confirmation, the restore crashed once mid-way and retried, anna's
// records equal to the export item by item, bo keeping B's changes; then
// A is undone, the hand-edited record a conflict left alone, and --force
// takes it back. The other tenant's items are the same after every step.
func TestRestoreOneUserToThePointBeforeAnImport(t *testing.T) {
	// Not parallel: it injects a fault into the restore function.
	st := newStack(t)
	tn, other := seedTenants(t, st, numbered)
	otherBefore := st.tenantItems(t, other)
	checkOther := func(step string) {
		t.Helper()
		if diff := cmp.Diff(otherBefore, st.tenantItems(t, other)); diff != "" {
			t.Errorf("after %s, the other tenant's items changed (-before +after):\n%s", step, diff)
		}
	}
	config := `{"version": 1, "entity": "customers", "mode": "update_delete", "key_fields": ["customer_number"], ` + byAgent + `}`
	a := st.importFile(t, tn, config,
		"Customer number,Name,City,Email,Agent email\n"+
			"C-1,Müller GmbH,Potsdam,,anna.berg@demo.example\n"+
			"C-2,Rossi S.r.l.,Roma,,anna.berg@demo.example\n"+
			"C-6,Neu GmbH,Hamburg,,anna.berg@demo.example\n"+
			"C-5,Kowalski Sp. z o.o.,Kraków,,bo@demo.example\n")
	checkCounts(t, a, crm.Counts{Rows: 4, Created: 1, Updated: 1, Unchanged: 2, Deleted: 7})
	checkOther("import A")

	byHand := map[string]string{"customer_number": "C-1", "name": "Müller GmbH", "city": "Leipzig"}
	st.putByHand(t, tn, anna.ID, seedPrefix+"c1", byHand, 6)
	beforeB := map[string]table{anna.ID: st.userTable(t, tn, anna.ID, "customer_number"), bo.ID: st.userTable(t, tn, bo.ID, "customer_number")}

	// B: anna's C-2 changes, C-8 is new, C-1 and C-6 are deleted; bo's
	// C-5 changes (A left it unchanged) and C-7 is new.
	b := st.importFile(t, tn, config,
		"Customer number,Name,City,Email,Agent email\n"+
			"C-2,Rossi S.r.l.,Milano,,anna.berg@demo.example\n"+
			"C-8,Acht AG,Bremen,,anna.berg@demo.example\n"+
			"C-5,Kowalski Sp. z o.o.,Gdańsk,,bo@demo.example\n"+
			"C-7,Sieben SE,Kiel,,bo@demo.example\n")
	checkCounts(t, b, crm.Counts{Rows: 4, Created: 2, Updated: 2, Deleted: 2})
	if b.RestorePoint == nil || b.RestorePoint.Prefix == "" {
		t.Fatalf("import B's restore point = %+v, want an export", b.RestorePoint)
	}
	st.putByHand(t, tn, anna.ID, "hand-9", map[string]string{"customer_number": "C-9", "name": "Hand AG"}, 1)
	afterB := map[string]table{anna.ID: st.userTable(t, tn, anna.ID, "customer_number"), bo.ID: st.userTable(t, tn, bo.ID, "customer_number")}
	annaNow := st.userItems(t, tn, anna.ID)
	checkOther("import B")

	// The dry run: C-1, C-6 (deleted by B) and C-2 (changed by B) put
	// back; C-8 (B's) and C-9 (a person's: an edit lost) deleted.
	admin := newWizard(t, st, tn)
	r := admin.startRestore(t, b.ID, []string{anna.Email})
	if r.Status != crm.RestorePlanning || !slices.Equal(r.Users, []string{anna.Email}) || r.RestorePoint != b.ID {
		t.Errorf("the restore started = %+v, want PLANNING for %s to the point before %s", r, anna.Email, b.ID)
	}
	dry := admin.waitRestore(t, r.ID, crm.RestoreReady)
	wantDry := [5]int{3, 2, 0, 1, 5}
	if got := [5]int{dry.PutBack, dry.Deleted, dry.Unchanged, dry.EditsLost, dry.Total}; got != wantDry || !slices.Equal(dry.ImportsSince, []string{b.ID}) {
		t.Errorf("dry run = %v since %v, want put back, deleted, unchanged, edits lost, total %v since [%s]", got, dry.ImportsSince, wantDry, b.ID)
	}
	for _, u := range []string{anna.ID, bo.ID} {
		st.checkTable(t, tn, u, "customer_number", afterB[u])
	}
	checkOther("the dry run")

	// Confirmed with the CLI; the restore function crashes once, right
	// after its first transaction landed, and the workflow runs the act
	// again.
	st.cloud.InjectFaults(t, cloudtest.Fault{Function: "RestoreFunction", Service: "dynamodb", Operation: "TransactWriteItems", After: 0, Times: 1, Action: cloudtest.Crash})
	q, queue := st.subscribe(t, tn)
	c := newCLI(t, st).signedIn(t, st, tn, tn+"-restorer@demo.example", "administrator")
	var done apiclient.Restore
	c.okJSON(t, &done, "restore", "--confirm", r.ID)
	var ev crm.RestoreEvent
	if got := eventsOf(t, q, queue, crm.RestoreSucceededEvent); len(got) != 1 || json.Unmarshal([]byte(got[0]), &ev) != nil ||
		ev.Tenant != tn || ev.RestoreID != r.ID || ev.Status != crm.RestoreSucceeded {
		t.Errorf("RestoreSucceeded events = %q, want one for restore %s of %s", got, r.ID, tn)
	}
	if done.Status != crm.RestoreSucceeded || done.Done != dry.Total || done.ConfirmedBy != tn+"-restorer@demo.example" || done.EndedAt == nil {
		t.Errorf("crmimport restore --confirm = %+v, want SUCCEEDED, %d done, confirmed by %s-restorer@demo.example", done, dry.Total, tn)
	}
	if f := st.cloud.Faults(t); len(f) != 1 || f[0].Injected != 1 {
		t.Errorf("faults = %+v, want the crash injected once", f)
	}
	st.cloud.ClearFaults(t)
	var again map[string]any
	if code := sendJSON(t, http.MethodPost, admin.api+"/restores/"+r.ID+"/confirm", admin.token, nil, &again); code != http.StatusConflict {
		t.Errorf("a second confirm = %d %v, want 409", code, again)
	}

	// anna's records are the export's, item by item; the act did what the
	// dry run said; bo keeps B's changes.
	annaAfter := st.userItems(t, tn, anna.ID)
	point := st.pointItems(t, *b.RestorePoint, tn, anna.ID)
	if !reflect.DeepEqual(annaAfter, point) {
		t.Errorf("anna's items after the restore = %v, want the export's %v", annaAfter, point)
	}
	if putBack, deleted := changes(annaNow, annaAfter); putBack != dry.PutBack || deleted != dry.Deleted {
		t.Errorf("the restore put back %d and deleted %d records, want the dry run's %d and %d", putBack, deleted, dry.PutBack, dry.Deleted)
	}
	st.checkTable(t, tn, anna.ID, "customer_number", beforeB[anna.ID])
	st.checkTable(t, tn, bo.ID, "customer_number", afterB[bo.ID])
	checkOther("the restore")

	var list apiclient.RestoreList
	c.okJSON(t, &list, "restores")
	if len(list.Restores) != 1 || list.Restores[0].ID != r.ID || list.Restores[0].Status != crm.RestoreSucceeded {
		t.Errorf("crmimport restores = %+v, want the one restore, SUCCEEDED", list.Restores)
	}

	// Undo A: anna's hand-edited C-1 is a conflict, left alone; bo's
	// records A deleted come back, B's changes to bo stay.
	undo := func(body map[string]any) undoAnswer {
		t.Helper()
		return admin.undo(t, a.ID, body) // a confirmed one waits for its workflow
	}
	dryUndo := undo(map[string]any{})
	if want := [3]int{1, 7, 1}; dryUndo.counts() != want || len(dryUndo.Conflicts) != 1 || dryUndo.Conflicts[0].ID != seedPrefix+"c1" {
		t.Errorf("undo's dry run = %v %+v, want %v with seed-c1 the conflict", dryUndo.counts(), dryUndo.Conflicts, want)
	}
	if act := undo(map[string]any{"confirm": true}); act.counts() != dryUndo.counts() {
		t.Errorf("undo = %v, want the dry run's %v", act.counts(), dryUndo.counts())
	}
	seededHand := asTable(numbered)
	seededHand[seedPrefix+"c1"] = item{Entity: customers, Fields: byHand, Version: 6}
	st.checkTable(t, tn, anna.ID, "customer_number", seededHand)
	boUndone := asTable(numbered).remove("c5")
	boUndone[seedPrefix+"c5"] = afterB[bo.ID][seedPrefix+"c5"]
	boUndone["new C-7"] = afterB[bo.ID]["new C-7"]
	st.checkTable(t, tn, bo.ID, "customer_number", boUndone)
	checkOther("the undo")

	if forced := undo(map[string]any{"confirm": true, "force": true}); forced.counts() != [3]int{1, 8, 1} {
		t.Errorf("forced undo = %v, want [1 8 1]", forced.counts())
	}
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered))
	st.checkTable(t, tn, bo.ID, "customer_number", boUndone)
	checkOther("the forced undo")
}

// TestRestoreIsForAdministratorsAndCanBeCancelled: a plain user may not
// start one, an unknown user's e-mail is refused in words, and a READY
// restore cancelled writes nothing and can be confirmed no more.
func TestRestoreIsForAdministratorsAndCanBeCancelled(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn, _ := seedTenants(t, st, numbered)
	config := `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], ` + byAgent + `}`
	j := st.importFile(t, tn, config, "Customer number,Name,City,Email,Agent email\nC-1,Müller GmbH,Potsdam,,anna.berg@demo.example\n")
	before := st.userTable(t, tn, anna.ID, "customer_number")
	admin := newWizard(t, st, tn)

	var answer map[string]any
	if code := sendJSON(t, http.MethodPost, admin.api+"/restore-points/"+j.ID+"/restore", admin.token, map[string]any{"users": []string{"nobody@demo.example"}}, &answer); code != http.StatusBadRequest ||
		!strings.Contains(answer["message"].(string), "nobody@demo.example") {
		t.Errorf("a restore of an unknown user = %d %v, want 400 naming the e-mail", code, answer)
	}
	idp := cip.NewFromConfig(st.cloud.AWS)
	user := loginAs(t, idp, st.cloud.Output(t, "USER_POOL_ID"), st.cloud.Output(t, "USER_POOL_CLIENT_ID"), tn, tn+"-user", "user")
	if code := sendJSON(t, http.MethodPost, admin.api+"/restore-points/"+j.ID+"/restore", user, map[string]any{}, &answer); code != http.StatusForbidden ||
		answer["message"] != "only administrators may restore records to a restore point" {
		t.Errorf("a restore by a user = %d %v, want 403", code, answer)
	}

	r := admin.startRestore(t, j.ID, nil)
	ready := admin.waitRestore(t, r.ID, crm.RestoreReady)
	if ready.PutBack != 1 || ready.Deleted != 0 || len(ready.Users) != 0 {
		t.Errorf("dry run of the whole tenant = %+v, want C-1 put back", ready)
	}
	var cancelled apiclient.Restore
	if code := sendJSON(t, http.MethodPost, admin.api+"/restores/"+r.ID+"/cancel", admin.token, nil, &cancelled); code != http.StatusOK || cancelled.Status != crm.RestoreCancelled {
		t.Errorf("cancel = %d %+v, want 200 CANCELLED", code, cancelled)
	}
	if code := sendJSON(t, http.MethodPost, admin.api+"/restores/"+r.ID+"/confirm", admin.token, nil, &answer); code != http.StatusConflict {
		t.Errorf("confirm after cancel = %d %v, want 409", code, answer)
	}
	st.checkTable(t, tn, anna.ID, "customer_number", before)
}

// putByHand writes a record as a person would in the CRM: a version of its
// own and no import.
func (st *stack) putByHand(t *testing.T, tenantID, user, id string, fields map[string]string, version int64) {
	t.Helper()
	it, err := attributevalue.MarshalMap(storedRecord{
		PK: dynamo.UserPK(tenantID, user), SK: dynamo.RecordSK(customers, id),
		Entity: customers, ID: id, Fields: fields, Version: version,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &st.table, Item: it}); err != nil {
		t.Fatalf("PutItem(by hand) = %v", err)
	}
}
