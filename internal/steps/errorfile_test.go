package steps

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/outcome"
)

// putFailedOutcomes gives each of users rows failed rows, row numbers
// interleaved between the users and each user's outcomes in descending row
// order (so only a sort puts them in order), an imported row between
// every two, and deleted records (row 0) that could not be deleted, keyed
// del-<user>-<i>, at the start of every user's log.
func putFailedOutcomes(t testing.TB, files *crmtest.Files, s State, rows, deletes int) {
	t.Helper()
	users, err := s.users(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	for u, ref := range users {
		var buf bytes.Buffer
		w := crm.NewLineWriter[outcome.Row](&buf)
		write := func(r outcome.Row) {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		for i := range deletes {
			write(outcome.Row{Status: outcome.Conflict, Key: fmt.Sprintf("del-%d-%d", u, i), Reason: "the record was changed after the preview"})
		}
		for i := rows - 1; i >= 0; i-- {
			row := 2 + i*len(users) + u
			write(outcome.Row{Row: row, Status: outcome.Error, User: ref.ID, ID: "r" + strconv.Itoa(row),
				Errors: []crm.RowError{{Row: row, Column: "Email", Value: "x@", Reason: "is not an e-mail address"}}})
			write(outcome.Row{Row: 1_000_000_000 + row, Status: outcome.Created, ID: "new"})
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := files.Put(context.Background(), s.work().Outcomes(ref.ID), buf.Bytes(), crm.JSONLines); err != nil {
			t.Fatal(err)
		}
	}
}

// errorFileState is the state of an import whose Map ran over users:
// the manifest of their items is in files.
func errorFileState(t testing.TB, files *crmtest.Files, users int) State {
	t.Helper()
	s := State{ImportID: "imp-big", Tenant: tenant, Entity: "customers"}
	var refs []crm.UserRef
	for u := range users {
		refs = append(refs, crm.UserRef{ID: fmt.Sprintf("u%d", u)})
	}
	m, err := putMapItems(context.Background(), files, s.work(), refs)
	if err != nil {
		t.Fatal(err)
	}
	s.Map = m
	return s
}

func TestErrorFileLargerThanAChunkListsEveryRowNotImportedByRow(t *testing.T) {
	// Three chunks' worth: the rows are sorted in temporary files and
	// merged.
	const users, perUser, deletes = 3, errorFileChunk, 2
	f := newFixture(t)
	s := errorFileState(t, f.files, users)
	putFailedOutcomes(t, f.files, s, perUser, deletes)

	key, lines, err := f.finalize().writeErrorFile(context.Background(), s)
	if err != nil || key != s.work().ErrorFile() || lines != users*(perUser+deletes) {
		t.Fatalf("writeErrorFile() = %q, %d, %v, want %q, %d rows", key, lines, err, s.work().ErrorFile(), users*(perUser+deletes))
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(f.files.Data(key), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("read the error file: %v", err)
	}
	body := records[1:]
	for i, r := range body[:users*perUser] {
		if want := strconv.Itoa(2 + i); r[0] != want {
			t.Fatalf("error file line %d = %q, want row %s: every row in order", i+2, r, want)
		}
	}
	// Rows without a number come last, in the order the logs hold them.
	var gotDeletes []string
	for _, r := range body[users*perUser:] {
		gotDeletes = append(gotDeletes, r[2])
	}
	var wantDeletes []string
	for u := range users {
		for i := range deletes {
			wantDeletes = append(wantDeletes, fmt.Sprintf("del-%d-%d", u, i))
		}
	}
	if !reflect.DeepEqual(gotDeletes, wantDeletes) {
		t.Errorf("error file's unnumbered lines = %q, want %q: in the order read", gotDeletes, wantDeletes)
	}
}

func TestErrorFileOfAnImportWhoseOutcomesCannotBeReadIsNotWritten(t *testing.T) {
	f := newFixture(t)
	s := errorFileState(t, f.files, 2)
	putFailedOutcomes(t, f.files, s, 10, 0)
	// The second user's outcomes: Open is called for the unassigned rows,
	// the Map's manifest, then once per user.
	f.files.FailCall("Open", 4, crm.Errorf(crm.Unavailable, "S3 is down"))

	key, lines, err := f.finalize().writeErrorFile(context.Background(), s)
	if crm.KindOf(err) != crm.Unavailable || key != "" || lines != 0 {
		t.Errorf("writeErrorFile() = %q, %d, %v, want no file and the Unavailable error", key, lines, err)
	}
	if _, ok := f.files.Object(s.work().ErrorFile()); ok {
		t.Errorf("an error file was written from half the outcomes")
	}
}

// BenchmarkErrorFilePeakHeap1M writes the error file of 1,000,000 failed
// rows of 100 users and reports the largest heap seen above what the
// in-memory bucket holds before (input-MB): the error file's own memory,
// which must not grow with the rows (holding them all took 698 MB).
func BenchmarkErrorFilePeakHeap1M(b *testing.B) {
	const users, rows = 100, 1_000_000
	files := crmtest.NewFiles()
	s := errorFileState(b, files, users)
	putFailedOutcomes(b, files, s, rows/users, 0)
	fin := &Finalize{Files: files, Log: discard}
	// Garbage is collected early, so the heap seen is what is live, not
	// what the collector has yet to reclaim.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	b.ResetTimer()
	for range b.N {
		done := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var top uint64
			var m runtime.MemStats
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					sampled <- top
					return
				case <-tick.C:
					runtime.ReadMemStats(&m)
					top = max(top, m.HeapAlloc)
				}
			}
		}()
		if _, n, err := fin.writeErrorFile(context.Background(), s); err != nil || n != rows {
			b.Fatalf("writeErrorFile() = %d rows, %v, want %d", n, err, rows)
		}
		close(done)
		peak = max(peak, <-sampled)
	}
	b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base)/(1<<20), "input-MB")
}
