package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/lanrat/extsort"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/outcome"
)

// errorFileChunk is how many rows not imported finalize sorts in memory at
// once; more are sorted in chunks of that size in temporary files and
// merged (an external sort), so the error file of a million failed rows
// takes tens of MB, not the 698 MB holding them all took. A row takes a
// few hundred bytes: 50,000 of them, a few chunks in flight, stay well
// under 100 MB.
const errorFileChunk = 50_000

// failedRow is a row not imported as the error file needs it, with its
// place in the order the outcomes were read, so rows with the same number
// (deleted records, numbered 0) keep that order, as a stable sort would.
type failedRow struct {
	Seq int         `json:"q"`
	Row outcome.Row `json:"r"`
}

func compareFailed(a, b failedRow) int {
	return cmp.Or(cmp.Compare(rowOrder(a.Row.Row), rowOrder(b.Row.Row)), cmp.Compare(a.Seq, b.Seq))
}

func encodeFailed(r failedRow) ([]byte, error) { return json.Marshal(r) }

func decodeFailed(b []byte) (failedRow, error) {
	var r failedRow
	err := json.Unmarshal(b, &r)
	return r, err
}

// writeErrorFile writes the import's error file: every row that was not
// imported, with row, column, value and reason. It gathers the rows split
// could not give to a user and every user's row outcomes, and reports how
// many rows it lists.
func (f *Finalize) writeErrorFile(ctx context.Context, s State) (string, int, error) {
	// Only rows not imported are kept, and they are sorted by row before
	// writing: outcomes come per user and in record order, and a tenant
	// fixing the file goes through it top to bottom. github.com/lanrat/extsort
	// sorts them in bounded memory: chunks in temporary files (os.TempDir,
	// Lambda's /tmp), merged; a single chunk stays in memory.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan failedRow, 1024)
	read := make(chan error, 1)
	go func() {
		defer close(in)
		err := f.eachFailed(ctx, s, func(r failedRow) error {
			select {
			case in <- r:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil {
			cancel() // the sort stops too
		}
		read <- err
	}()
	sorter, sorted, sortErr := extsort.Generic(in, decodeFailed, encodeFailed, compareFailed,
		&extsort.Config{ChunkSize: errorFileChunk, NumWorkers: 1, TempFilesDir: os.TempDir(), ChanBuffSize: 0})
	sorter.Sort(ctx)
	// finish waits for the reading and the sort to end and says why they
	// failed, if they did; once known, the answer stays.
	var finished bool
	var finishErr error
	finish := func() error {
		if !finished {
			finished = true
			finishErr = <-read
			if finishErr == nil {
				finishErr = <-sortErr
			}
			if finishErr != nil {
				finishErr = fmt.Errorf("error file of %s: %w", s.ImportID, finishErr)
			}
		}
		return finishErr
	}

	first, ok := <-sorted
	if !ok {
		return "", 0, finish()
	}
	key := s.work().ErrorFile()
	lines := 0
	err := uploadFile(ctx, f.Files, "", key, crm.CSV, func(w io.Writer) error {
		csv := outcome.NewErrorCSV(w)
		for r, more := first, true; more; r, more = <-sorted {
			lines++
			if err := csv.Write(r.Row); err != nil {
				return err
			}
		}
		// The sorted rows end early when the reading or the sort
		// failed: nothing is uploaded then.
		if err := finish(); err != nil {
			return err
		}
		return csv.Flush()
	})
	if err != nil {
		return "", 0, err
	}
	return key, lines, nil
}

// eachFailed calls each with every row not imported: the rows split could
// not give to a user, then every user's row outcomes, in the order read.
func (f *Finalize) eachFailed(ctx context.Context, s State, each func(failedRow) error) error {
	seq := 0
	keep := func(r outcome.Row) error {
		switch r.Status {
		case outcome.Error, outcome.Skipped, outcome.Conflict:
			// What the error file does not write stays out of the sort.
			r.User, r.Entity, r.ID, r.Changes = "", "", "", nil
			seq++
			return each(failedRow{Seq: seq, Row: r})
		}
		return nil
	}
	err := eachLine(ctx, f.Files, s.work().Unassigned(), func(r crm.Row) error {
		return keep(unassignedOutcome(r))
	})
	if err != nil {
		return err
	}
	users, err := s.users(ctx, f.Files)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := eachLine(ctx, f.Files, s.work().Outcomes(u.ID), keep); err != nil {
			return err
		}
	}
	return nil
}

func rowOrder(row int) int {
	if row == 0 {
		return math.MaxInt
	}
	return row
}

// eachLine calls each for every JSON line of a work file; a file that does
// not exist has no lines.
func eachLine[T any](ctx context.Context, files crm.Files, key string, each func(T) error) error {
	body, err := files.Open(ctx, key)
	if crm.KindOf(err) == crm.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	defer body.Close()
	if err := crm.ReadLines(body, each); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	return nil
}

// unassignedOutcome is the outcome of a row split gave to no user.
func unassignedOutcome(r crm.Row) outcome.Row {
	if len(r.Errors) > 0 {
		return outcome.Row{Row: r.Number, Status: outcome.Error, Errors: r.Errors}
	}
	reason := fmt.Sprintf("no user of your CRM matches %q: the row was not imported", r.Assignee)
	if r.Assignee == "" {
		reason = "the row names no sales agent: it was not imported"
	}
	return outcome.Row{Row: r.Number, Status: outcome.Skipped, Key: r.Assignee, Reason: reason}
}
