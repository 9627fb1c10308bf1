package dynamo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/crmimport/crm-import/internal/crm"
)

// A job's item does not grow with its users: each user's progress and
// deletions are an item of their own, summed when the job is read, and an
// ended job keeps the sums on its item for the list of jobs.
func TestAJobsItemStaysTheSameSizeWhateverItsUsers(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-many", Status: crm.Applying}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Update(ctx, "acme", "imp-many", crm.JobChange{Total: 3 * 400}); err != nil {
		t.Fatal(err)
	}
	size := func() int {
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: jobKey("acme", "imp-many"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for k, v := range out.Item {
			n += len(k) + len(fmt.Sprint(v))
		}
		return n
	}
	before := size()
	const users = 400
	for i := range users {
		u := fmt.Sprintf("u-%04d", i)
		if err := jobs.SetDeletes(ctx, "acme", "imp-many", u, 1); err != nil {
			t.Fatal(err)
		}
		if err := jobs.SetProgress(ctx, "acme", "imp-many", u, 3); err != nil {
			t.Fatal(err)
		}
	}
	if err := jobs.SetDropped(ctx, "acme", "imp-many", "u-0000", 3); err != nil {
		t.Fatal(err)
	}
	// A user's progress an hour later moves the job's time, not its item.
	later := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	jobs.now = func() time.Time { return later }
	if err := jobs.SetProgress(ctx, "acme", "imp-many", "u-0002", 3); err != nil {
		t.Fatal(err)
	}
	jobs.now = time.Now
	if j, err := jobs.Get(ctx, "acme", "imp-many"); err != nil || !j.UpdatedAt.Equal(later) {
		t.Errorf("Get().UpdatedAt = %v, %v; want %v, when a user's progress last moved", j.UpdatedAt, err, later)
	}
	if after := size(); after > before+20 {
		t.Errorf("job item after %d users' progress = %d bytes, want about %d as before", users, after, before)
	}
	// Total: the rows, plus each user's deletion, less u-0000's 3 rows and
	// its deletion.
	wantDone, wantTotal := 3*users, 3*users+users-3-1
	if j, err := jobs.Get(ctx, "acme", "imp-many"); err != nil || j.Done != wantDone || j.Total != wantTotal {
		t.Errorf("Get = done %d, total %d, %v; want %d/%d", j.Done, j.Total, err, wantDone, wantTotal)
	}
	if err := jobs.Update(ctx, "acme", "imp-many", crm.JobChange{Status: crm.Succeeded}); err != nil {
		t.Fatal(err)
	}
	list, err := jobs.List(ctx, "acme")
	if err != nil || len(list) != 1 || list[0].Done != wantDone || list[0].Total != wantTotal {
		t.Fatalf("List after the end = %+v, %v; want one job done %d/%d", list, err, wantDone, wantTotal)
	}
	if err := jobs.SetProgress(ctx, "acme", "imp-many", "u-0001", 0); err != nil {
		t.Fatal(err)
	}
	if j, err := jobs.Get(ctx, "acme", "imp-many"); err != nil || j.Done != wantDone {
		t.Errorf("Get after a late progress write = done %d, %v; want %d as it ended", j.Done, err, wantDone)
	}
}
