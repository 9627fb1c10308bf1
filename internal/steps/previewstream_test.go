package steps

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

func TestPreviewStreamedWritesThePlanOfTheWholeRows(t *testing.T) {
	var plans [2][]byte
	var previews [2][]byte
	var outs [2]UserPlan
	for i, stream := range []bool{false, true} {
		f := newFixture(t)
		f.tenants.SaveConfig(context.Background(), tenant, "sync", []byte(syncConfig))
		s := f.splitted(t, chunkRows(f, 800), "sync")
		task := UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: f.mapItems(t, s)[0]}
		out, err := f.preview().handle(context.Background(), task, stream)
		if err != nil {
			t.Fatalf("Preview.handle(stream %v) error = %v", stream, err)
		}
		outs[i] = out
		w := task.work()
		pl, _ := f.files.Object(w.Plan(anna.ID))
		pv, _ := f.files.Object(w.Preview(anna.ID))
		plans[i], previews[i] = pl.Data, pv.Data
	}
	if !reflect.DeepEqual(outs[1], outs[0]) {
		t.Errorf("Preview streamed = %+v, want %+v", outs[1], outs[0])
	}
	if len(plans[0]) == 0 || !bytes.Equal(plans[1], plans[0]) {
		t.Errorf("plans/%s.jsonl streamed (%d bytes) differs from the one planned whole (%d bytes)", anna.ID, len(plans[1]), len(plans[0]))
	}
	if !bytes.Equal(previews[1], previews[0]) {
		t.Errorf("previews/%s.json streamed = %s, want %s", anna.ID, previews[1], previews[0])
	}
}

// BenchmarkPreviewPeakHeap plans 200,000 rows of one user against 200,000
// existing records (half the rows update one, half create; a tenth of the
// records no row names, deleted by update_delete) the way preview did,
// holding rows, records and plan, and streamed. It reports each way's peak
// live heap over the heap before it, per row, and the streamed one's ratio
// to the whole one measured in the same run. The doubles hold the rows
// file and the records in memory, before the preview starts: not counted.
func BenchmarkPreviewPeakHeap(b *testing.B) {
	const n = 200_000
	var peaks [2]uint64
	for b.Loop() {
		for i, stream := range []bool{false, true} {
			f, task := benchPreviewWorld(b, n)
			peak := peakHeap(func() {
				if _, err := f.preview().handle(context.Background(), task, stream); err != nil {
					b.Fatalf("Preview.handle(stream %v) error = %v", stream, err)
				}
			})
			peaks[i] = max(peaks[i], peak)
		}
	}
	b.ReportMetric(float64(peaks[0])/n, "whole-B/row")
	b.ReportMetric(float64(peaks[1])/n, "stream-B/row")
	b.ReportMetric(float64(peaks[1])/float64(peaks[0]), "x-whole")
}

// benchPreviewWorld is anna's import of n rows, split already, against
// n existing records.
func benchPreviewWorld(b *testing.B, n int) (*fixture, UserTask) {
	b.Helper()
	f := &fixture{files: crmtest.NewFiles(), jobs: crmtest.NewJobs(), tenants: crmtest.NewTenants(),
		records: &crmtest.Records{}, leases: crmtest.NewLeases(), tmp: b.TempDir()}
	task := UserTask{ImportID: "imp-bench", Tenant: tenant, User: crm.UserRef{ID: anna.ID, Email: anna.Email, Rows: n}}
	w := task.work()
	f.files.Add(w.Config(), []byte(`{"version":1,"entity":"customers","mode":"update_delete","key_fields":["customer_number"]}`), nil)
	var rows strings.Builder
	for i := range n {
		number := fmt.Sprintf("K%07d", i+n/2) // the first half matches the second half of the records
		fmt.Fprintf(&rows, `{"row":%d,"fields":{"customer_number":%q,"name":"Firma %d GmbH","email":"info%d@firma.example","city":"Berlin","revenue":"%d.50"}}`+"\n",
			i+2, number, i, i, i*7)
	}
	f.files.Add(w.UserRows(anna.ID), []byte(rows.String()), nil)
	for i := range n {
		f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: fmt.Sprintf("R%07d", i), Version: 1, Fields: map[string]string{
			"customer_number": fmt.Sprintf("K%07d", i), "name": fmt.Sprintf("Firma %d AG", i), "email": fmt.Sprintf("old%d@firma.example", i),
			"city": "Hamburg", "revenue": "100"}})
	}
	if _, err := f.jobs.Create(context.Background(), crm.Job{Tenant: tenant, ID: task.ImportID, Entity: "customers", Status: crm.Previewing}); err != nil {
		b.Fatal(err)
	}
	return f, task
}

// peakHeap runs fn and returns the most the live heap (as the collector
// last marked it) grew over what it was before fn.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	// The collector runs at least once more, so the heap fn left marks.
	runtime.GC()
	metrics.Read(sample)
	peak = max(peak, sample[0].Value.Uint64())
	if peak < base {
		return 0
	}
	return peak - base
}
