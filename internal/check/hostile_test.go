package check

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/crm"
)

// Files of a few KB to a few MB made to have a reader allocate gigabytes
// (issue 13 measured each, peak RSS in parentheses). Each is generated
// here, checked through Run as the validate step checks it, and must be
// refused or read with row errors while the heap in use stays below
// maxHostileHeap.
const (
	maxHostileHeap = 256 << 20
	// Past heapGuard the sampler panics: a regression fails the test
	// instead of taking the memory of a machine others share.
	heapGuard = 1 << 30
)

func TestHostileFilesStayInBoundedMemory(t *testing.T) {
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		file  string
		// refused, when set, is part of the refusal; otherwise the file
		// is read, with rowErrors rows in error out of rows.
		refused         string
		rows, rowErrors int
	}{
		{name: "a 4 MB CSV whose header has 2 million columns (9.7 GB)", write: wideHeaderCSV, file: "wide-header.csv",
			refused: "row 1: the titles run to column DITOB: 2000000 columns, more than the 16384 (up to column XFD) a sheet can have"},
		{name: "20 rows of 2 million cells (2.4 GB)", write: wideRowsCSV, file: "wide-rows.csv", rows: 20, rowErrors: 10},
		{name: "an XLSX with a 16,384-column header and 3,000 one-cell rows (2.1 GB)", write: wideHeaderXLSX, file: "wide-header.xlsx", rows: 3000},
		{name: "an XLSX of 0.5 MB whose shared strings are 20 million empty strings (2.1 GB)", write: emptyStringsXLSX, file: "empty-strings.xlsx",
			refused: "the workbook lists more than 65559 texts for its cells, but its sheets have room for at most 23 cells; it is damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			tt.write(t, path)
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			var rep *Report
			start := time.Now()
			peak := peakHeap(func() {
				rep, err = Run(context.Background(), path, Options{Entity: "customers"}, func(crm.Row) error { return nil })
			})
			t.Logf("%s: %.1f MB, peak heap in use %.0f MiB, checked in %v", tt.file, float64(info.Size())/1e6, float64(peak)/(1<<20), time.Since(start).Round(time.Millisecond))
			if peak > maxHostileHeap {
				t.Errorf("Run(%s) peak heap = %d MiB, want under %d MiB", tt.file, peak>>20, maxHostileHeap>>20)
			}
			if tt.refused != "" {
				if crm.KindOf(err) != crm.Invalid || !strings.Contains(err.Error(), tt.refused) {
					t.Errorf("Run(%s) = %v, want a refusal saying %q", tt.file, err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run(%s) = %v, want it read", tt.file, err)
			}
			if rep.Rows != tt.rows || rep.RowsWithErrors != tt.rowErrors {
				t.Errorf("Run(%s) = %d rows, %d with errors (%v), want %d, %d", tt.file, rep.Rows, rep.RowsWithErrors, rep.Errors[:min(2, len(rep.Errors))], tt.rows, tt.rowErrors)
			}
		})
	}
}

// peakHeap runs read while a goroutine samples the heap in use (as
// runtime.MemStats.HeapInuse counts it) every millisecond through
// runtime/metrics, which does not stop the world, and returns the largest
// sample.
func peakHeap(read func()) uint64 {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	var peak uint64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			inUse := samples[0].Value.Uint64() + samples[1].Value.Uint64()
			peak = max(peak, inUse)
			if inUse > heapGuard {
				panic(fmt.Sprintf("heap in use passed %d MiB", heapGuard>>20))
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	read()
	close(done)
	<-sampled
	return peak
}

func create(t *testing.T, path string, write func(w *bufio.Writer)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// wideHeaderCSV: "Name" and then 1,999,999 titles "c", one data row.
func wideHeaderCSV(t *testing.T, path string) {
	create(t, path, func(w *bufio.Writer) {
		w.WriteString("Name")
		w.WriteString(strings.Repeat(",c", 2_000_000-1))
		w.WriteString("\nMüller GmbH\n")
	})
}

// wideRowsCSV: two titles, then 20 rows of 2 million cells: every other
// row has a value in each (a row error: values without titles), the
// others only separators (a row like any other).
func wideRowsCSV(t *testing.T, path string) {
	full, empty := strings.Repeat(",x", 2_000_000-2), strings.Repeat(",", 2_000_000-2)
	create(t, path, func(w *bufio.Writer) {
		w.WriteString("Name,City\n")
		for i := 0; i < 20; i++ {
			fmt.Fprintf(w, "Customer %d,Köln", i)
			if i%2 == 0 {
				w.WriteString(full)
			} else {
				w.WriteString(empty)
			}
			w.WriteString("\n")
		}
	})
}

// wideHeaderXLSX: a workbook written by excelize whose header fills all
// 16,384 columns, and 3,000 rows with a name only.
func wideHeaderXLSX(t *testing.T, path string) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	header := make([]any, 16_384)
	header[0] = "Name"
	for i := 1; i < len(header); i++ {
		header[i] = fmt.Sprintf("Column %d", i+1)
	}
	if err := sw.SetRow("A1", header); err != nil {
		t.Fatal(err)
	}
	for r := 2; r <= 3001; r++ {
		if err := sw.SetRow(fmt.Sprintf("A%d", r), []any{fmt.Sprintf("Customer %d", r)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// emptyStringsXLSX: a one-row workbook written by excelize whose shared
// strings are its own two texts followed by 20 million empty ones, 260 MB
// of XML packed to half a megabyte.
func emptyStringsXLSX(t *testing.T, path string) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "Name")
	f.SetCellValue("Sheet1", "A2", "Müller GmbH")
	var book bytes.Buffer
	if err := f.Write(&book); err != nil {
		t.Fatal(err)
	}
	f.Close()
	in, err := zip.NewReader(bytes.NewReader(book.Bytes()), int64(book.Len()))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for _, e := range in.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == "xl/sharedStrings.xml" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
				`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Name</t></si><si><t>Müller GmbH</t></si>`)
			chunk := []byte(strings.Repeat("<si><t/></si>", 10_000))
			for i := 0; i < 2_000; i++ {
				w.Write(chunk)
			}
			io.WriteString(w, `</sst>`)
			continue
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
