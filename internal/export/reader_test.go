package export_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/crmimport/crm-import/internal/cloudtest"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/export"
)

func TestMain(m *testing.M) { cloudtest.Main(m) }

// TestRecordsYieldsOnlyTheTenantsRecordsOfARealExport exports the local
// cloud's table (every test's items in it) and reads it back.
func TestRecordsYieldsOnlyTheTenantsRecordsOfARealExport(t *testing.T) {
	ctx := context.Background()
	cloud := cloudtest.Env(t)
	table, bucket := cloud.Output(t, "TABLE"), cloud.Output(t, "BUCKET")
	db := dynamodb.NewFromConfig(cloud.AWS)
	s3c := s3.NewFromConfig(cloud.AWS, cloudtest.PathStyle)
	run := time.Now().UnixNano()
	tenant, other := fmt.Sprintf("rp-%d", run), fmt.Sprintf("rp-%d-other", run)

	// The tenant's records of two users, in every type a record may hold;
	// the other tenant's record; the tenant's job, user and before-image.
	want := map[string]export.Item{}
	put := func(item map[string]any, mine bool) {
		av, err := attributevalue.MarshalMap(item)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: av}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
		if mine {
			want[item["pk"].(string)+"|"+item["sk"].(string)] = av
		}
	}
	for i := range 30 {
		user := []string{"anna", "jonas"}[i%2]
		put(map[string]any{"pk": dynamo.UserPK(tenant, user), "sk": fmt.Sprintf("CUSTOMERS#%03d", i),
			"name": fmt.Sprintf("Kunde %d GmbH", i), "revenue": 1234.5 + float64(i), "active": i%3 == 0,
			"tags": []string{"a", "b"}, "address": map[string]any{"street": "Hauptstraße 1"}, "nothing": nil}, true)
	}
	put(map[string]any{"pk": dynamo.UserPK(other, "anna"), "sk": "CUSTOMERS#001", "name": "not mine"}, false)
	put(map[string]any{"pk": "T#" + tenant, "sk": "IMPORT#imp-1", "status": "SUCCEEDED"}, false)
	put(map[string]any{"pk": "T#" + tenant, "sk": "USER#anna", "email": "anna@example.com"}, false)
	put(map[string]any{"pk": dynamo.ImportPK(tenant, "imp-1"), "sk": "BEFORE#anna#CUSTOMERS#001"}, false)

	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	exports := dynamo.NewExports(db, aws.ToString(desc.Table.TableArn), bucket)
	prefix := crm.RestorePointsPrefix(tenant, "imp-2")
	arn, _, err := exports.Export(ctx, prefix)
	if err != nil {
		t.Fatalf("Export(%s) = %v", prefix, err)
	}
	for {
		st, err := exports.Status(ctx, arn)
		if err != nil {
			t.Fatalf("Status(%s) = %v", arn, err)
		}
		if st.State == crm.ExportCompleted {
			break
		}
		if st.State == crm.ExportFailed {
			t.Fatalf("Status(%s) = %+v, want COMPLETED", arn, st)
		}
		time.Sleep(100 * time.Millisecond)
	}

	got := map[string]export.Item{}
	for item, err := range export.NewReader(s3c, bucket).Records(ctx, prefix, tenant) {
		if err != nil {
			t.Fatalf("Records(%s) = %v", prefix, err)
		}
		k := item["pk"].(*types.AttributeValueMemberS).Value + "|" + item["sk"].(*types.AttributeValueMemberS).Value
		got[k] = item
	}
	if len(got) != len(want) {
		t.Errorf("Records yielded %d items (%v), want %d", len(got), slices.Sorted(maps.Keys(got)), len(want))
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("Records: item %s = %#v, want %#v", k, got[k], w)
		}
	}
}

func TestRecordsOfAMissingRestorePointIsNotFound(t *testing.T) {
	cloud := cloudtest.Env(t)
	r := export.NewReader(s3.NewFromConfig(cloud.AWS, cloudtest.PathStyle), cloud.Output(t, "BUCKET"))
	for _, err := range r.Records(context.Background(), "restore-points/nobody/imp-none", "nobody") {
		if crm.KindOf(err) != crm.NotFound {
			t.Errorf("Records(missing) = %v, want NotFound", err)
		}
		return
	}
	t.Errorf("Records(missing) yielded nothing, want a NotFound error")
}
