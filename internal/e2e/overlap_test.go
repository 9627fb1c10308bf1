package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/outcome"
)

// overlapRows is how many customers both files of an overlap test hold.
const overlapRows = 500

// customersFile is overlapRows customers C-1..C-500, each in city.
func customersFile(city string) []byte {
	var b strings.Builder
	b.WriteString("Customer number,Name,City\n")
	for i := 1; i <= overlapRows; i++ {
		fmt.Fprintf(&b, "C-%d,Kunde %d,%s\n", i, i, city)
	}
	return []byte(b.String())
}

// uploadTogether uploads two files for the tenant at the same moment and
// waits for both imports to end.
func (st *stack) uploadTogether(t *testing.T, tn, config string, files map[string][]byte) map[string]crm.Job {
	t.Helper()
	st.saveConfig(t, tn, "cfg", config)
	ids := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, body := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := st.upload(t, tn, customers, name, body, "cfg")
			mu.Lock()
			ids[name] = id
			mu.Unlock()
		}()
	}
	wg.Wait()
	jobs := map[string]crm.Job{}
	for name, id := range ids {
		// The second import waits for the first one's lease: give it the
		// time of two imports.
		j := st.waitJobFor(t, tn, id, 4*time.Minute)
		if j.Status != crm.Succeeded {
			t.Fatalf("import of %s: status %s (%s), want SUCCEEDED", name, j.Status, j.Reason)
		}
		jobs[name] = j
	}
	return jobs
}

// Two update imports of the same customers for one user, uploaded at the
// same moment (a re-upload while the first runs, a nightly sync meeting a
// manual import): one runs after the other, so no record is created twice
// and no update is lost in silence.
func TestOverlappingUpdateImportsApplyInOneOrder(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	jobs := st.uploadTogether(t, tn, `{"version":1,"entity":"customers","mode":"update","key_fields":["customer_number"]}`,
		map[string][]byte{"berlin.csv": customersFile("Berlin"), "hamburg.csv": customersFile("Hamburg")})

	recs := st.records(t, tn, anna.ID)
	if len(recs) != overlapRows {
		t.Fatalf("anna has %d records, want %d: each customer once", len(recs), overlapRows)
	}
	// The import applied last wrote every record; the other one created
	// them first. Its "created" rows and its values are all the table's,
	// the other's "updated" rows turned each record into its own values.
	first, last := "berlin.csv", "hamburg.csv"
	if recs[0].ImportID == jobs[first].ID {
		first, last = last, first
	}
	city := map[string]string{"berlin.csv": "Berlin", "hamburg.csv": "Hamburg"}
	for _, r := range recs {
		if r.ImportID != jobs[last].ID || r.Fields["city"] != city[last] || r.Version != 2 {
			t.Fatalf("record %s = import %s, city %s, version %d; want every record written by %s (%s), version 2",
				r.Fields["customer_number"], r.ImportID, r.Fields["city"], r.Version, jobs[last].ID, city[last])
		}
	}
	checkCounts(t, jobs[first], crm.Counts{Rows: overlapRows, Created: overlapRows})
	checkCounts(t, jobs[last], crm.Counts{Rows: overlapRows, Updated: overlapRows})

	// What each import reports happened is what the table went through:
	// the last one's updates start from the first one's records.
	numberOf := map[string]string{}
	for _, r := range recs {
		numberOf[r.ID] = r.Fields["customer_number"]
	}
	befores := st.beforeImagesByNumber(t, tn, jobs[last].ID, numberOf)
	if len(befores) != overlapRows {
		t.Fatalf("%s left %d before-images, want %d", last, len(befores), overlapRows)
	}
	for number, b := range befores {
		if b.Old == nil || b.Old.Fields["city"] != city[first] || b.Old.Version != 1 || b.VersionAfter != 2 {
			t.Fatalf("before-image of %s by %s = %+v, want the record %s created (version 1, %s)", number, last, b, first, city[first])
		}
	}
	for _, o := range st.outcomes(t, tn, jobs[last].ID, anna.ID) {
		if o.Status != outcome.Updated || len(o.Changes) != 1 || o.Changes[0].Field != "city" || o.Changes[0].New != city[last] {
			t.Fatalf("outcome of row %d of %s = %+v, want updated, city -> %s", o.Row, last, o, city[last])
		}
	}
}

// The same with add mode: the second import finds the first one's records
// by their key and skips them; 500 records, not 1,000.
func TestOverlappingAddImportsCreateEachRecordOnce(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	jobs := st.uploadTogether(t, tn, `{"version":1,"entity":"customers","mode":"add","key_fields":["customer_number"]}`,
		map[string][]byte{"march.csv": customersFile("Berlin"), "march-again.csv": customersFile("Berlin")})

	if recs := st.records(t, tn, anna.ID); len(recs) != overlapRows {
		t.Fatalf("anna has %d records, want %d: each customer once", len(recs), overlapRows)
	}
	var created, skipped int
	for _, j := range jobs {
		created += j.Counts.Created
		skipped += j.Counts.Skipped
	}
	if created != overlapRows || skipped != overlapRows {
		t.Errorf("the two imports created %d and skipped %d rows, want %d and %d", created, skipped, overlapRows, overlapRows)
	}
}

// waitJobFor waits up to d until the job has ended and returns it.
func (st *stack) waitJobFor(t testing.TB, tenantID, id string, d time.Duration) crm.Job {
	t.Helper()
	deadline := time.Now().Add(d)
	var last crm.Job
	for time.Now().Before(deadline) {
		j, err := st.jobs.Get(context.Background(), tenantID, id)
		if err == nil {
			last = j
			if j.Status.Terminal() {
				return j
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("import %s did not end within %s; last seen: %+v", id, d, last)
	return last
}
