package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// BenchmarkBuild plans 100,000 rows against 100,000 existing records of one
// user (half the rows update, half create) and reports the time per row
// against a baseline measured in the same run: putting the same records in
// a plain map by key, the least any matching must do.
func BenchmarkBuild(b *testing.B) {
	const n = 100_000
	existing := make([]crm.Record, n)
	for i := range existing {
		existing[i] = crm.Record{ID: fmt.Sprintf("r%06d", i), Version: 1, Fields: map[string]string{
			"customer_no": fmt.Sprint(i), "name": fmt.Sprintf("Kunde %d", i), "last_visit": "2026-01-01"}}
	}
	rows := make([]crm.Row, n)
	for i := range rows {
		rows[i] = crm.Row{Number: i + 2, Fields: map[string]string{
			"customer_no": fmt.Sprint(i + n/2), "name": fmt.Sprintf("Kunde %d", i+n/2), "last_visit": "2026-02-01"}}
	}
	o := Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no"},
		Kinds: map[string]Kind{"last_visit": Date}, Policies: map[string]crm.Policy{"last_visit": crm.OverwriteIfGreater}}

	start := time.Now()
	m := make(map[string]int, n)
	for i, r := range existing {
		m[r.Fields["customer_no"]] = i
	}
	for _, r := range rows {
		_ = m[r.Fields["customer_no"]]
	}
	baseline := time.Since(start)

	var p *Plan
	for b.Loop() {
		var err error
		if p, err = Build(existing, rows, o); err != nil {
			b.Fatal(err)
		}
	}
	if p.Preview.Updates != n/2 || p.Preview.Creates != n/2 {
		b.Fatalf("Build() summary = %+v, want %d updates and creates", p.Preview, n/2)
	}
	perBuild := float64(b.Elapsed()) / float64(b.N)
	b.ReportMetric(perBuild/float64(n), "ns/row")
	b.ReportMetric(perBuild/float64(baseline), "x-map-baseline")
}
