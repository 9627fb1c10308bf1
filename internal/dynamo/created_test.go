package dynamo

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/undo"
)

// TestCreatesShareOneBeforeImagePerChunk: the creates of a chunk cost one
// image item (one PutItem), an update keeps its own; a retry of the
// chunk that writes only the creates the first attempt did not reach adds
// to the same item (its PutItem refused, one UpdateItem), so each created ID is there once; the images count
// and read back as one per record, and undo in batches of any size, each
// going on where the last ended, does what one run does.
func TestCreatesShareOneBeforeImagePerChunk(t *testing.T) {
	client, table, calls := newTable(t)
	ctx := context.Background()
	r := newRecords(client, table)
	r.PageLimit = 1 // a page per image item: the batches cut between items
	seed(t, client, table, seedRecord{"acme", "u1", "customers", crm.Record{ID: "c-050", Fields: map[string]string{"name": "Old"}, Version: 2}})
	sc := crm.Scope{Tenant: "acme", User: "u1", Entity: "customers", ImportID: "imp-c"}
	cur, err := r.Current(ctx, sc, "a", "z")
	if err != nil {
		t.Fatal(err)
	}
	old := cur["c-050"]
	create := func(from, to int) []crm.Write {
		var ws []crm.Write
		for i := from; i < to; i++ {
			if i != 50 {
				ws = append(ws, crm.Write{Kind: crm.WriteCreate, ID: fmt.Sprintf("c-%03d", i), Row: i + 2, Fields: map[string]string{"name": "New"}, Version: 1})
			}
		}
		return ws
	}
	calls.reset()
	first := sc
	first.Chunk = "c-000"
	writes := append(create(0, 100), crm.Write{Kind: crm.WriteUpdate, ID: "c-050", Row: 52, Fields: map[string]string{"name": "Changed"}, Version: 3, Before: &old})
	if err := r.Write(ctx, first, writes); err != nil {
		t.Fatal(err)
	}
	if p, u, b := calls.get("PutItem"), calls.get("UpdateItem"), calls.get("BatchWriteItem"); p != 1 || u != 0 || b != 5 {
		t.Errorf("Write(99 creates, 1 update) = %d PutItem, %d UpdateItem, %d BatchWriteItem, want 1 (the creates' image), 0, 5 (1 for the update's image, 4 for 100 records)", p, u, b)
	}
	calls.reset()
	// The retry after a crash: the records from c-060 on were not written.
	if err := r.Write(ctx, first, create(60, 100)); err != nil {
		t.Fatal(err)
	}
	if p, u := calls.get("PutItem"), calls.get("UpdateItem"); p != 1 || u != 1 {
		t.Errorf("Write(retry of 40 creates) = %d PutItem, %d UpdateItem, want 1 (refused: the image is there), 1 (added to)", p, u)
	}
	second := sc
	second.Chunk = "c-100"
	if err := r.Write(ctx, second, create(100, 130)); err != nil {
		t.Fatal(err)
	}
	images := 0
	for k := range scan(t, client, table) {
		if strings.Contains(k, "#IMPORT#") {
			images++
		}
	}
	if images != 3 {
		t.Errorf("before-image items = %d, want 3 (two chunks' creates, one update)", images)
	}
	if n, err := r.CountBeforeImages(ctx, "acme", "imp-c"); n != 130 || err != nil {
		t.Errorf("CountBeforeImages() = %d, %v, want 130", n, err)
	}
	seen := map[string]int{}
	err = r.ReadBeforeImages(ctx, "acme", "imp-c", "", 0, func(page []crm.BeforeImage, _ string) error {
		for i, img := range page {
			seen[img.ID]++
			if i > 0 && page[i-1].ID > img.ID {
				t.Errorf("page out of order: %s before %s", page[i-1].ID, img.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 130 {
		if id := fmt.Sprintf("c-%03d", i); seen[id] != 1 {
			t.Errorf("ReadBeforeImages() gave %s %d times, want once", id, seen[id])
		}
	}

	whole, err := undo.Run(ctx, r, "acme", "imp-c", undo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Deleted != 129 || whole.Restored != 1 || len(whole.Conflicts) != 0 || whole.Next != "" {
		t.Fatalf("Run(dry) = %d deleted, %d restored, %d conflicts, next %q; want 129, 1, 0, \"\"", whole.Deleted, whole.Restored, len(whole.Conflicts), whole.Next)
	}
	for _, size := range []int{1, 40, 1000} {
		t.Run(fmt.Sprintf("batches of %d", size), func(t *testing.T) {
			var sum undo.Result
			from, runs := "", 0
			for {
				res, err := undo.Run(ctx, r, "acme", "imp-c", undo.Options{Act: true, From: from, Batch: size})
				if err != nil {
					t.Fatal(err)
				}
				runs++
				sum.Deleted += res.Deleted
				sum.Restored += res.Restored
				if from = res.Next; from == "" || runs > 200 {
					break
				}
			}
			if sum.Deleted != whole.Deleted || sum.Restored != whole.Restored {
				t.Errorf("undo in %d batches = %d deleted, %d restored, want %d, %d", runs, sum.Deleted, sum.Restored, whole.Deleted, whole.Restored)
			}
			want := map[string]string{"T#acme#U#u1|CUSTOMERS#c-050": "v2  name=Old"}
			got := records(t, client, table)
			if len(got) != len(want) {
				t.Errorf("records after undo = %v, want %v", got, want)
			}
			diffTables(t, got, want)
		})
	}
}
