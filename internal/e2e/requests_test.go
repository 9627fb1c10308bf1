package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/cloudtest"
)

// bulkRows is the size of the request-count import: enough for forty full
// batches, small enough for moto.
const bulkRows = 1000

// bulkNote makes each record about 1.3 KB, so the user's 1,000 records are
// more than one 1 MB Query page and the preview has to page.
var bulkNote = strings.Repeat("Prefers visits on Monday mornings. ", 35)

// batchItems is the most items one BatchWriteItem call takes.
const batchItems = 25

// TestImportRequestCounts measures what the preview and apply functions ask
// of DynamoDB for 1,000 new rows of one user, then for the same rows again
// (all unchanged). The counts are per function and shared by every test
// binary using the cloud, so this test does not run in parallel: the
// binary's parallel tests start only after it ends, and the other tests of
// the binary run one after another.
func TestImportRequestCounts(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.saveConfig(t, tn, "cfg", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "locale": "en-US"}`)
	file := bulkFile(0)
	batches := (bulkRows + batchItems - 1) / batchItems

	t.Run("new rows", func(t *testing.T) {
		st.cloud.ResetFunctionStats(t, "ApplyFunction")
		st.cloud.ResetFunctionStats(t, "PreviewFunction")
		st.cloud.ResetFunctionStats(t, "RestorePointFunction")
		j := st.waitJob(t, tn, st.upload(t, tn, customers, "bulk.csv", file, "cfg"))
		if j.Status != crm.Succeeded {
			t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
		}
		checkCounts(t, j, crm.Counts{Rows: bulkRows, Created: bulkRows})
		apply := st.cloud.FunctionStats(t, "ApplyFunction")
		preview := st.cloud.FunctionStats(t, "PreviewFunction")
		t.Logf("%d new rows, 1 user: apply %s; preview %s", bulkRows, apply, preview)

		// Records are written in full batches: the floor is 40 calls.
		// Created records' before-images are one item per chunk of 100
		// (their IDs), a PutItem each (an UpdateItem only for a retried
		// chunk): no batch. Moto does not
		// throttle, so retries of unprocessed items should be rare: at
		// most 42 calls.
		if n := apply.Count("dynamodb", "BatchWriteItem"); n < batches || n > batches+2 {
			t.Errorf("apply BatchWriteItem calls = %d, want %d (the records) to %d", n, batches, batches+2)
		}
		if n, chunks := apply.Count("dynamodb", "PutItem"), bulkRows/100; n < 2*chunks {
			t.Errorf("apply PutItem calls = %d, want at least %d (a before-image of each chunk's creates, and its lease renewed)", n, 2*chunks)
		}
		// Apply re-checks each chunk of writes with one ranged Query; one
		// per batch would be the most that makes sense.
		if n := apply.Count("dynamodb", "Query"); n < 1 || n > batches {
			t.Errorf("apply Query calls = %d, want 1 to %d", n, batches)
		}
		// The user has no records yet: one page.
		if n := preview.Count("dynamodb", "Query"); n != 1 {
			t.Errorf("preview Query calls = %d, want 1", n)
		}
		for name, s := range map[string]cloudtest.Stats{"apply": apply, "preview": preview} {
			if n := s.Count("dynamodb", "GetItem"); n != 0 {
				t.Errorf("%s GetItem calls = %d, want 0: records are read by Query", name, n)
			}
		}
		if n := len(st.records(t, tn, anna.ID)); n != bulkRows {
			t.Errorf("records = %d, want %d", n, bulkRows)
		}
		// The restore point's own calls, in its own function (the counts
		// above are unchanged by it): one export, one write of it on the
		// job, and a DescribeExport per poll (one when the export is done
		// by the first, as moto's small exports are; one more each 10 s).
		rp := st.cloud.FunctionStats(t, "RestorePointFunction")
		t.Logf("restore point: %s", rp)
		if n := rp.Count("dynamodb", "ExportTableToPointInTime"); n != 1 {
			t.Errorf("restore point ExportTableToPointInTime calls = %d, want 1", n)
		}
		if n := rp.Count("dynamodb", "UpdateItem"); n != 1 {
			t.Errorf("restore point UpdateItem calls = %d, want 1 (the job)", n)
		}
		if n := rp.Count("dynamodb", "DescribeExport"); n < 1 || n > 3 {
			t.Errorf("restore point DescribeExport calls = %d, want 1 to 3", n)
		}
	})

	t.Run("same rows again", func(t *testing.T) {
		st.cloud.ResetFunctionStats(t, "ApplyFunction")
		st.cloud.ResetFunctionStats(t, "PreviewFunction")
		j := st.waitJob(t, tn, st.upload(t, tn, customers, "again.csv", file, "cfg"))
		if j.Status != crm.Succeeded {
			t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
		}
		checkCounts(t, j, crm.Counts{Rows: bulkRows, Unchanged: bulkRows})
		apply := st.cloud.FunctionStats(t, "ApplyFunction")
		preview := st.cloud.FunctionStats(t, "PreviewFunction")
		t.Logf("%d unchanged rows against %d records: apply %s; preview %s", bulkRows, bulkRows, apply, preview)

		if n := apply.Count("dynamodb", "BatchWriteItem"); n != 0 {
			t.Errorf("apply BatchWriteItem calls = %d, want 0: nothing changed", n)
		}
		// About 1.3 MB of records: two 1 MB pages.
		if n := preview.Count("dynamodb", "Query"); n != 2 {
			t.Errorf("preview Query pages = %d, want 2 for one user's 1.3 MB of records", n)
		}
		for name, s := range map[string]cloudtest.Stats{"apply": apply, "preview": preview} {
			if n := s.Count("dynamodb", "GetItem"); n != 0 {
				t.Errorf("%s GetItem calls = %d, want 0: records are read by Query", name, n)
			}
		}
	})

	t.Run("a tenth of the rows changed", func(t *testing.T) {
		const changed = bulkRows / 10
		st.cloud.ResetFunctionStats(t, "ApplyFunction")
		st.cloud.ResetFunctionStats(t, "PreviewFunction")
		j := st.waitJob(t, tn, st.upload(t, tn, customers, "tenth.csv", bulkFile(10), "cfg"))
		if j.Status != crm.Succeeded {
			t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
		}
		checkCounts(t, j, crm.Counts{Rows: bulkRows, Updated: changed, Unchanged: bulkRows - changed})
		apply := st.cloud.FunctionStats(t, "ApplyFunction")
		preview := st.cloud.FunctionStats(t, "PreviewFunction")
		t.Logf("%d rows, %d of them changed, against %d records: apply %s; preview %s", bulkRows, changed, bulkRows, apply, preview)

		writes := (changed + batchItems - 1) / batchItems
		if n := apply.Count("dynamodb", "BatchWriteItem"); n < 2*writes || n > 2*writes+1 {
			t.Errorf("apply BatchWriteItem calls = %d, want %d (records and their before-images)", n, 2*writes)
		}
		for name, s := range map[string]cloudtest.Stats{"apply": apply, "preview": preview} {
			if n := s.Count("dynamodb", "GetItem"); n != 0 {
				t.Errorf("%s GetItem calls = %d, want 0: records are read by Query", name, n)
			}
		}
	})
}

// bulkFile is the request-count file; with every > 0, every such row
// names another city.
func bulkFile(every int) []byte {
	var b strings.Builder
	b.WriteString("Customer number,Name,City,Notes\n")
	for i := range bulkRows {
		city := fmt.Sprintf("City %d", i%50)
		if every > 0 && i%every == 0 {
			city = "Moved " + city
		}
		fmt.Fprintf(&b, "B-%05d,Customer %d,%s,%d: %s\n", i, i, city, i, bulkNote)
	}
	return []byte(b.String())
}
