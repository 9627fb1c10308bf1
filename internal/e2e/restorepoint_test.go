package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/export"
)

// TestAnImportTakesARestorePointOfTheTableBeforeItsFirstWrite: tenant A's
// second import (unattended) exports the table before it writes; the
// export is in the bucket, recorded on the job and listed by the API, and
// read back it holds exactly A's records as they were before that import,
// item by item, and none of tenant B's.
func TestAnImportTakesARestorePointOfTheTableBeforeItsFirstWrite(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	ctx := context.Background()
	tnA, tnB := newTenant(t), newTenant(t)
	for _, tn := range []string{tnA, tnB} {
		st.addUser(t, tn, anna)
		st.saveConfig(t, tn, "cfg", keepName)
	}
	file := func(name string, ids ...int) []byte {
		var b strings.Builder
		b.WriteString("Customer number,Name,City\n")
		for _, i := range ids {
			fmt.Fprintf(&b, "R-%d,%s %d,Köln\n", i, name, i)
		}
		return []byte(b.String())
	}
	for _, tn := range []string{tnA, tnB} {
		if j := st.waitJob(t, tn, st.upload(t, tn, customers, "first.csv", file("First", 1, 2, 3, 4, 5), "cfg")); j.Status != crm.Succeeded {
			t.Fatalf("first import of %s = %s (%s), want SUCCEEDED", tn, j.Status, j.Reason)
		}
	}
	beforeA, beforeB := st.rawRecords(t, tnA), st.rawRecords(t, tnB)
	if len(beforeA) != 5 || len(beforeB) != 5 {
		t.Fatalf("records before = %d of A, %d of B, want 5 each", len(beforeA), len(beforeB))
	}

	// The second import changes one record and adds two.
	id := st.upload(t, tnA, customers, "second.csv", file("Second", 1, 6, 7), "cfg")
	j := st.waitJob(t, tnA, id)
	if j.Status != crm.Succeeded {
		t.Fatalf("second import = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	if got := st.rawRecords(t, tnA); len(got) != 7 {
		t.Fatalf("records of A after the second import = %d, want 7", len(got))
	}
	rp := j.RestorePoint
	wantPrefix := crm.RestorePointsPrefix(tnA, id)
	if rp == nil || rp.ExportARN == "" || rp.Prefix != wantPrefix || rp.Time.IsZero() || rp.Time.After(j.FinishedAt) || rp.Time.Before(j.CreatedAt) {
		t.Fatalf("job.RestorePoint = %+v, want an export under %s taken between %v and %v", rp, wantPrefix, j.CreatedAt, j.FinishedAt)
	}

	list, err := st.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &st.bucket, Prefix: aws.String(rp.Prefix + "/")})
	if err != nil || len(list.Contents) == 0 {
		t.Fatalf("ListObjectsV2(%s) = %d objects, %v, want the export's files", rp.Prefix, len(list.Contents), err)
	}

	reader := export.NewReader(st.s3, st.bucket)
	got := map[string]export.Item{}
	for item, err := range reader.Records(ctx, rp.Prefix, tnA) {
		if err != nil {
			t.Fatalf("Records(%s, A) = %v", rp.Prefix, err)
		}
		got[itemKey(item)] = item
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(beforeA))) {
		t.Errorf("Records(%s, A) keys = %v, want A's before the import %v", rp.Prefix, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(beforeA)))
	}
	for k, want := range beforeA {
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("Records(%s, A) item %s = %v, want %v as it was before the import", rp.Prefix, k, got[k], want)
		}
	}
	for k := range got {
		if _, theirs := beforeB[k]; theirs || !strings.HasPrefix(k, dynamo.UserPK(tnA, "")) {
			t.Errorf("Records(%s, A) yielded %s, which is not A's", rp.Prefix, k)
		}
	}
	// The same export holds B's records as they were, for B alone.
	n := 0
	for item, err := range reader.Records(ctx, rp.Prefix, tnB) {
		if err != nil {
			t.Fatalf("Records(%s, B) = %v", rp.Prefix, err)
		}
		if want, ok := beforeB[itemKey(item)]; !ok || !reflect.DeepEqual(item, want) {
			t.Errorf("Records(%s, B) item %s = %v, want B's %v", rp.Prefix, itemKey(item), item, want)
		}
		n++
	}
	if n != len(beforeB) {
		t.Errorf("Records(%s, B) yielded %d items, want %d", rp.Prefix, n, len(beforeB))
	}

	// The API lists both of A's restore points, newest first, and shows
	// the import's.
	w := newWizard(t, st, tnA)
	var points struct {
		RestorePoints []struct {
			Import, Kind, ExportARN, Prefix string
		} `json:"restorePoints"`
	}
	if code := sendJSON(t, http.MethodGet, w.api+"/restore-points", w.token, nil, &points); code != http.StatusOK ||
		len(points.RestorePoints) != 2 || points.RestorePoints[0].Import != id || points.RestorePoints[0].Kind != crm.RestorePointExport ||
		points.RestorePoints[0].ExportARN != rp.ExportARN || points.RestorePoints[0].Prefix != rp.Prefix {
		t.Errorf("GET /restore-points = %d %+v, want A's two, %s first with its export", code, points, id)
	}
	var view struct {
		RestorePoint *struct {
			ExportARN string `json:"exportArn"`
		} `json:"restorePoint"`
	}
	if code := sendJSON(t, http.MethodGet, w.url(id, ""), w.token, nil, &view); code != http.StatusOK || view.RestorePoint == nil || view.RestorePoint.ExportARN != rp.ExportARN {
		t.Errorf("GET /imports/%s restorePoint = %d %+v, want the export %s", id, code, view.RestorePoint, rp.ExportARN)
	}
}

// TestAnAttendedImportsRestorePointIsTakenWhileTheTenantChooses: the
// export starts right after split, so it is on the job while the import
// waits for the selection, before anything is written; the import then
// applies as usual.
func TestAnAttendedImportsRestorePointIsTakenWhileTheTenantChooses(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	ctx := context.Background()
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.saveConfig(t, tn, "cfg", keepName)
	w := newWizard(t, st, tn)
	id := w.startAttended(t, "agents.csv", []byte("Customer number,Name\nW-1,One\nW-2,Two\n"), "cfg")
	w.waitFor(t, id, crm.ForSelection, "")
	j, err := st.jobs.Get(ctx, tn, id)
	if err != nil {
		t.Fatalf("Get(%s) = %v", id, err)
	}
	if j.RestorePoint == nil || j.RestorePoint.ExportARN == "" || j.RestorePoint.Prefix != crm.RestorePointsPrefix(tn, id) {
		t.Errorf("job.RestorePoint while waiting for the selection = %+v, want the export started", j.RestorePoint)
	}
	if n := len(st.rawRecords(t, tn)); n != 0 {
		t.Errorf("records while waiting for the selection = %d, want 0", n)
	}
	answerAll(t, w.api, w.token, id)
	if j := st.waitJob(t, tn, id); j.Status != crm.Succeeded || j.Counts.Created != 2 {
		t.Errorf("import = %s %+v (%s), want SUCCEEDED with 2 created", j.Status, j.Counts, j.Reason)
	}
}

// rawRecords reads anna's records of the tenant as DynamoDB stores them,
// by pk|sk.
func (st *stack) rawRecords(t *testing.T, tenantID string) map[string]export.Item {
	t.Helper()
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.UserPK(tenantID, anna.ID)}},
		ConsistentRead:            aws.Bool(true),
	})
	out := map[string]export.Item{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Query records of %s: %v", tenantID, err)
		}
		for _, item := range page.Items {
			out[itemKey(item)] = item
		}
	}
	return out
}

func itemKey(item export.Item) string {
	pk, _ := item["pk"].(*dbtypes.AttributeValueMemberS)
	sk, _ := item["sk"].(*dbtypes.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return fmt.Sprintf("%v", item)
	}
	return pk.Value + "|" + sk.Value
}
