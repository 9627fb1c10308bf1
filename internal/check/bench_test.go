package check

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
)

// writeCustomers writes a customers CSV of n rows, as a tenant's export
// would look: text, numbers, dates, e-mail and phone numbers to parse.
func writeCustomers(tb testing.TB, n int, phones bool) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("customers-%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	phoneTitle := "Phone"
	if !phones {
		phoneTitle = "Fax" // an unmapped column: same bytes to read, nothing to parse
	}
	fmt.Fprintf(w, "Customer number,Name,Street,Postcode,City,Country,Email,%s,Revenue,Last visit,Group,Agent email\n", phoneTitle)
	cities := []string{"Berlin", "München", "Hamburg", "Köln", "Dresden"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "%06d,\"Müller & Söhne %d GmbH\",Hauptstraße %d,%05d,%s,Germany,info%d@example.com,+49 30 %06d,%d.%02d,2026-%02d-%02d,%c,agent%d@example.com\n",
			i, i, i%200+1, (i*7)%100000, cities[i%len(cities)], i, 900000+i%100000, i*13%1000000, i%100, i%12+1, i%28+1, 'A'+rune(i%3), i%40)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func rawCSV(tb testing.TB, path string) int {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.ReuseRecord = true
	rows := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return rows - 1 // without the header
		}
		if err != nil {
			tb.Fatal(err)
		}
		rows++
	}
}

// BenchmarkCheckCSV compares read+map+validate of a 100,000-row CSV with a
// raw encoding/csv read of the same file, both timed in the same run; the
// metric x-raw-csv is how many times longer the full check takes (the
// check validates rows on all procs, the raw read is one goroutine).
// Phone numbers dominated (libphonenumber), so the file is checked with
// and without a phone column.
func BenchmarkCheckCSV(b *testing.B) {
	b.Run("with-phone", func(b *testing.B) { benchmarkCheckCSV(b, true) })
	b.Run("without-phone", func(b *testing.B) { benchmarkCheckCSV(b, false) })
}

func benchmarkCheckCSV(b *testing.B, phones bool) {
	const rows = 100_000
	path := writeCustomers(b, rows, phones)
	cfg := parseConfigTB(b, `{"version": 1, "entity": "customers", "assignment": {"column": "Agent email", "by": "email"}, "locale": "de-DE"}`)
	var raw, ours time.Duration
	var rawCPU, oursCPU time.Duration
	var mallocs uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start, cpu := time.Now(), cpuTime(b)
		if n := rawCSV(b, path); n != rows {
			b.Fatalf("raw read %d rows, want %d", n, rows)
		}
		raw, rawCPU = raw+time.Since(start), rawCPU+cpuTime(b)-cpu

		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		start, cpu = time.Now(), cpuTime(b)
		rep, err := Run(context.Background(), path, Options{Config: cfg}, func(crm.Row) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		ours, oursCPU = ours+time.Since(start), oursCPU+cpuTime(b)-cpu
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - before
		if rep.Rows != rows || rep.RowsWithErrors != 0 || len(rep.Unmapped) != map[bool]int{true: 0, false: 1}[phones] {
			b.Fatalf("check read %d rows, %d with errors (%v), want %d, 0", rep.Rows, rep.RowsWithErrors, rep.Errors[:min(3, len(rep.Errors))], rows)
		}
	}
	b.ReportMetric(float64(ours)/float64(raw), "x-raw-csv")
	// The CPU time of the process, every core's: what the check costs on
	// one core, with no credit for its parallel validation, and what a
	// machine shared with other work slows least (its wall time counts
	// the others' turns).
	b.ReportMetric(float64(oursCPU)/float64(rawCPU), "x-raw-csv-cpu")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(rows*b.N), "ns/row")
	b.ReportMetric(float64(oursCPU.Nanoseconds())/float64(rows*b.N), "cpu-ns/row")
	b.ReportMetric(float64(mallocs)/float64(rows*b.N), "allocs/row")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
	b.ReportMetric(float64(rows)*float64(b.N)/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*float64(b.N)/raw.Seconds(), "raw-rows/s")
}

// BenchmarkCheckMemory1M checks a 1,000,000-row CSV and reports the largest
// live heap seen while it streams: it must not grow with the file.
func BenchmarkCheckMemory1M(b *testing.B) {
	const rows = 1_000_000
	path := writeCustomers(b, rows, true)
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	cfg := parseConfigTB(b, `{"version": 1, "entity": "customers", "locale": "de-DE"}`)
	var peak uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		n := 0
		rep, err := Run(context.Background(), path, Options{Config: cfg}, func(crm.Row) error {
			if n++; n%50_000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			return nil
		})
		if err != nil || rep.Rows != rows {
			b.Fatalf("Run = %v rows, %v", rep, err)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func parseConfigTB(tb testing.TB, js string) *config.Config {
	tb.Helper()
	c, err := config.Parse([]byte(js))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
