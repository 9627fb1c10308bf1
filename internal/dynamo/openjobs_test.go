package dynamo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// addOpenJobsIndex gives a test table the index template.yaml declares.
func addOpenJobsIndex(t *testing.T, client *dynamodb.Client, table string) {
	t.Helper()
	_, err := client.UpdateTable(context.Background(), &dynamodb.UpdateTableInput{
		TableName: &table,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("open_pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("open_since"), AttributeType: types.ScalarAttributeTypeS},
		},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName: aws.String(OpenJobsIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("open_pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("open_since"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}}},
	})
	if err != nil {
		t.Fatalf("add index %s to %s: %v", OpenJobsIndex, table, err)
	}
}

func TestJobsOpenListsTheJobsNotEndedAcrossTenants(t *testing.T) {
	client, table, count := newTable(t)
	addOpenJobsIndex(t, client, table)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	// Created a minute apart, the acme ones straddling globex's.
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, j := range []crm.Job{
		{Tenant: "acme", ID: "imp-1", Status: crm.Received},
		{Tenant: "globex", ID: "imp-2", Status: crm.Received},
		{Tenant: "acme", ID: "imp-3", Status: crm.Received},
		{Tenant: "acme", ID: "imp-4", Status: crm.Received},
	} {
		jobs.now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if _, err := jobs.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	jobs.now = func() time.Time { return t0.Add(time.Hour) }
	for _, c := range []struct {
		id     string
		change crm.JobChange
	}{
		{"imp-2", crm.JobChange{Status: crm.Applying, Users: 3}},
		{"imp-3", crm.JobChange{Status: crm.Succeeded}},
		{"imp-4", crm.JobChange{Status: crm.Failed, Reason: "the file has no data rows"}},
	} {
		tenant := "acme"
		if c.id == "imp-2" {
			tenant = "globex"
		}
		if err := jobs.Update(ctx, tenant, c.id, c.change); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		before time.Time
		want   []string
	}{
		{"every tenant's open jobs, oldest first, not the ended ones", t0.Add(time.Hour), []string{"imp-1", "imp-2"}},
		{"only those created before the time", t0.Add(30 * time.Second), []string{"imp-1"}},
		{"none created before the first", t0, nil},
	}
	for _, tt := range tests {
		count.reset()
		got, err := jobs.Open(ctx, tt.before)
		if err != nil {
			t.Fatalf("%s: Open(%v) error = %v", tt.name, tt.before, err)
		}
		var ids []string
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: Open(%v) = %v, want %v", tt.name, tt.before, ids, tt.want)
		}
		if len(got) == 2 && (got[1].Tenant != "globex" || got[1].Status != crm.Applying || got[1].Users != 3) {
			t.Errorf("%s: Open() second job = %+v, want globex's, APPLYING with 3 users, as Get reads it", tt.name, got[1])
		}
		// One Query of the index, no Scan, and a Get per open job.
		if q, s, g := count.get("Query"), count.get("Scan"), count.get("GetItem"); q != 1 || s != 0 || g != len(tt.want) {
			t.Errorf("%s: Open() made %d Query, %d Scan, %d GetItem, want 1, 0, %d", tt.name, q, s, g, len(tt.want))
		}
	}

	// An ended job leaves the index in the same write that ends it.
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: jobKey("acme", "imp-3"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{"open_pk", "open_since"} {
		if v, ok := out.Item[attr]; ok {
			t.Errorf("ended job's %s = %v, want it removed", attr, v)
		}
	}
}
