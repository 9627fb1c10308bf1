package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

const benchRows = 100_000

func benchRow(i int) []string {
	return []string{fmt.Sprintf("R%09d", i), "anna.berg@demo.example", fmt.Sprintf("K-%d", i), fmt.Sprintf("Müller GmbH %d", i),
		"Hauptstraße 1", "10115", "Berlin", "DE", "info@example.com", "+49301234567", "2026-03-01", "1250.5"}
}

// BenchmarkWrite writes 100,000 rows of 12 cells in each format, reported
// as a ratio to encoding/csv writing the same rows in the same run, with
// the heap in use at the end (before Close: what the rows cost while they
// stream, the workbooks' kept in temporary files).
func BenchmarkWrite(b *testing.B) {
	start := time.Now()
	w := csv.NewWriter(io.Discard)
	for i := range benchRows {
		_ = w.Write(benchRow(i))
	}
	w.Flush()
	baseline := time.Since(start)

	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			var heap uint64
			for range b.N {
				sw, err := New(format, io.Discard, "customers")
				if err != nil {
					b.Fatal(err)
				}
				for i := range benchRows {
					if err := sw.Write(benchRow(i)); err != nil {
						b.Fatal(err)
					}
				}
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				heap = max(heap, m.HeapInuse)
				if err := sw.Close(); err != nil {
					b.Fatal(err)
				}
			}
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per)/float64(baseline), "x-encoding/csv")
			b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
		})
	}
}
