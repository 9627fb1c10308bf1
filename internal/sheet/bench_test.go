package sheet

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The benchmarks generate their files; none is committed. Each reports our
// time as a multiple of a baseline measured in the same run
// ("x-baseline"), so the number means the same on any machine.

const benchRows = 100_000

var benchHeader = []string{"Customer number", "Name", "Postcode", "City", "Customer since", "Revenue", "Email"}

func benchRecord(i int) []string {
	return []string{
		fmt.Sprint(100000 + i),
		fmt.Sprintf("Müller & Söhne %d, GmbH", i),
		fmt.Sprintf("%05d", i%100000),
		"Köln",
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%2000).Format("2006-01-02"),
		fmt.Sprintf("%d.%02d", i*7%100000, i%100),
		fmt.Sprintf("kunde%d@example.de", i),
	}
}

func writeBenchCSV(b *testing.B, path string, rows int) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(bufio.NewWriter(f))
	w.Write(benchHeader)
	for i := 0; i < rows; i++ {
		w.Write(benchRecord(i))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// writeBenchXLSX writes the same rows as typed cells: a real date column,
// a formatted number column and text postcodes.
func writeBenchXLSX(b *testing.B, path string, rows int) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateFmt, textFmt, moneyFmt := "DD.MM.YYYY", "@", "#,##0.00"
	dateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	textStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &textFmt})
	moneyStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	header := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		header[i] = h
	}
	sw.SetRow("A1", header)
	for i := 0; i < rows; i++ {
		rec := benchRecord(i)
		since, _ := time.Parse("2006-01-02", rec[4])
		var revenue float64
		fmt.Sscan(rec[5], &revenue)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		err := sw.SetRow(cell, []any{
			100000 + i,
			rec[1],
			excelize.Cell{StyleID: textStyle, Value: rec[2]},
			rec[3],
			excelize.Cell{StyleID: dateStyle, Value: since},
			excelize.Cell{StyleID: moneyStyle, Value: revenue},
			rec[6],
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

// readOurs reads every row with Open and returns how many there were.
func readOurs(b *testing.B, path string) int {
	b.Helper()
	r, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func readRawCSV(b *testing.B, path string) int {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n - 1
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func readRawXLSX(b *testing.B, path string) int { return iterateXLSX(b, path) }

// readRawXLSXValues skips number formatting: the least work excelize's
// iterator can do.
func readRawXLSXValues(b *testing.B, path string) int {
	return iterateXLSX(b, path, excelize.Options{RawCellValue: true})
}

func iterateXLSX(b *testing.B, path string, opts ...excelize.Options) int {
	b.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(opts...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n - 1
}

// compare times ours against baseline on the same file in every
// iteration and reports the ratio.
func compare(b *testing.B, path string, baseline, ours func(*testing.B, string) int) {
	var tBase, tOurs time.Duration
	for b.Loop() {
		start := time.Now()
		nBase := baseline(b, path)
		tBase += time.Since(start)
		start = time.Now()
		nOurs := ours(b, path)
		tOurs += time.Since(start)
		if nBase != benchRows || nOurs != benchRows {
			b.Fatalf("read %d rows (baseline %d), want %d", nOurs, nBase, benchRows)
		}
	}
	b.ReportMetric(float64(tOurs)/float64(tBase), "x-baseline")
	b.ReportMetric(float64(b.N*benchRows)/tOurs.Seconds(), "rows/s")
	b.ReportMetric(float64(b.N*benchRows)/tBase.Seconds(), "baseline-rows/s")
}

// BenchmarkCSV: our CSV reader (detection, decoding, typed rows) against a
// plain encoding/csv read of the same 100,000-row file.
func BenchmarkCSV(b *testing.B) {
	path := filepath.Join(b.TempDir(), "customers.csv")
	writeBenchCSV(b, path, benchRows)
	compare(b, path, readRawCSV, readOurs)
}

// BenchmarkXLSX: our XLSX reader against excelize's Rows iterator on the
// same 100,000-row workbook.
func BenchmarkXLSX(b *testing.B) {
	path := filepath.Join(b.TempDir(), "customers.xlsx")
	writeBenchXLSX(b, path, benchRows)
	compare(b, path, readRawXLSX, readOurs)
}

// BenchmarkXLSXRawValues: the same against excelize's iterator giving raw
// values, without the number formatting a typed read needs.
func BenchmarkXLSXRawValues(b *testing.B) {
	path := filepath.Join(b.TempDir(), "customers.xlsx")
	writeBenchXLSX(b, path, benchRows)
	compare(b, path, readRawXLSXValues, readOurs)
}

// BenchmarkCSVPeakHeap1M reads a generated 1,000,000-row CSV and reports
// the heap's high-water mark, sampled every 10,000 rows, for our reader
// and for encoding/csv. Run it alone: go test -run '^$' -bench PeakHeap -benchtime 1x
func BenchmarkCSVPeakHeap1M(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "million.csv")
	writeBenchCSV(b, path, rows)
	info, _ := os.Stat(path)
	for b.Loop() {
		ours := peakHeap(func(sample func()) {
			r, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			for i := 0; ; i++ {
				if _, err := r.Next(); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					return
				}
				if i%10_000 == 0 {
					sample()
				}
			}
		})
		base := peakHeap(func(sample func()) {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			r := csv.NewReader(f)
			for i := 0; ; i++ {
				if _, err := r.Read(); err != nil {
					return
				}
				if i%10_000 == 0 {
					sample()
				}
			}
		})
		b.ReportMetric(float64(ours)/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(base)/(1<<20), "baseline-peak-heap-MB")
		b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
	}
}

// peakHeap runs read after a collection and returns the largest heap in
// use seen by its samples.
func peakHeap(read func(sample func())) uint64 {
	runtime.GC()
	var peak uint64
	var m runtime.MemStats
	read(func() {
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	})
	return peak
}
