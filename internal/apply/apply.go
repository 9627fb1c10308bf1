// Package apply carries out one user's plan against the record store. Just
// before each write it decides whether the record is still as the plan saw
// it, was already written by this import, or was changed since; it reports
// and counts every op's outcome. It knows the store only as crm.Records.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

const defaultChunkSize = 100

// Input is one user's plan to carry out.
type Input struct {
	// Scope is whose records the plan writes, on behalf of which import.
	Scope crm.Scope
	// Ops streams the plan, in the order plan.Build gives (by record ID).
	// Any order works; sorted ops make each re-check narrow.
	Ops plan.Source
	// Total is the number of ops, for progress (plan.Preview.Total()).
	Total int
	// ChunkSize is how many writing ops one re-check covers before they
	// are written; default 100 (four DynamoDB batches).
	ChunkSize int
	// Renew, if set, is called before each chunk is re-checked; an error
	// stops the run before the chunk is written. It keeps the lease that
	// makes this import the only writer of these records (crm.Lease).
	Renew func(ctx context.Context) error
	// Progress, if set, is called after each chunk with the ops done.
	Progress func(done, total int)
	// Outcome, if set, receives the outcome of every op: an op that writes
	// nothing as soon as it is read, the others once their chunk is
	// written; each kind in plan order.
	Outcome func(outcome.Row) error
	// Stop, if set, is asked after each full chunk is written and
	// reported, with the ops done so far; true ends the run there, every
	// op read carried out and reported, and Result.Stopped says so. A run
	// that goes on from there (the same plan past its first done ops)
	// reports what one uninterrupted run would have: see stop.go.
	Stop func(done int) bool
}

// Result counts the outcomes of a plan's ops. AlreadyApplied tells how many
// of the created, updated and deleted an earlier, interrupted attempt of the
// same import had already written.
// Its JSON is how the workflow carries the counts of a user's earlier
// invocations (steps.ApplyResume).
type Result struct {
	Created        int `json:"created,omitempty"`
	Updated        int `json:"updated,omitempty"`
	Deleted        int `json:"deleted,omitempty"`
	Unchanged      int `json:"unchanged,omitempty"`
	Skipped        int `json:"skipped,omitempty"`
	Errors         int `json:"errors,omitempty"`
	Conflicts      int `json:"conflicts,omitempty"`
	AlreadyApplied int `json:"alreadyApplied,omitempty"`
	// Stopped says the run ended at Input.Stop's word, before the end of
	// the plan.
	Stopped bool `json:"-"`
}

// Add returns the counts of r and o together (of two runs over parts of
// one plan); Stopped is not a count and is left out.
func (r Result) Add(o Result) Result {
	return Result{
		Created:        r.Created + o.Created,
		Updated:        r.Updated + o.Updated,
		Deleted:        r.Deleted + o.Deleted,
		Unchanged:      r.Unchanged + o.Unchanged,
		Skipped:        r.Skipped + o.Skipped,
		Errors:         r.Errors + o.Errors,
		Conflicts:      r.Conflicts + o.Conflicts,
		AlreadyApplied: r.AlreadyApplied + o.AlreadyApplied,
	}
}

// Run writes a user's plan into store.
//
// How it stays correct when Lambdas fail and people edit records meanwhile:
//
//   - The writing ops are taken in chunks. Just before writing a chunk, one
//     call of store.Current over the chunk's ID range (in DynamoDB one
//     strongly consistent Query) reads the records as they are now. An op
//     whose record still has the version the plan saw is written, with
//     version+1 and this import's ID. A record that already carries this
//     import's ID and version+1 was written by an earlier attempt: nothing
//     more is done (idempotence). Anything else was changed since the
//     preview and is reported as a conflict, not written.
//   - The store writes before-images of the chunk (the whole old record, or
//     "did not exist") and has them acknowledged before the records
//     themselves.
//   - The DynamoDB store writes with BatchWriteItem, 25 items a call.
//
// Why BatchWriteItem after a re-check and not conditional writes:
// BatchWriteItem takes no conditions, and the conditional alternatives cost
// more for every row (TransactWriteItems: twice the write units, 100 items a
// call; PutItem with a condition: one call per row). The plan-to-apply
// window, where a tenant waits on a preview for minutes or hours, is what
// the re-check covers; what remains is the time between a chunk's re-check
// and its writes (a few calls, well under a second), and such a late change
// is still seen by undo, which compares a record's version with the
// before-image's version after the write before touching it.
//
// A plan that names a record twice or without an ID, or that does not
// decode, is an Internal error: the preview wrote something apply cannot
// carry out in a defined order.
func Run(ctx context.Context, store crm.Records, in Input) (Result, error) {
	size := in.ChunkSize
	if size <= 0 {
		size = defaultChunkSize
	}
	r := &run{store: store, in: in}
	var chunk []plan.Op
	for {
		op, err := in.Ops.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r.res, crm.Wrap(err, crm.Internal, "apply %s", in.Scope.User)
		}
		if !op.Writes() {
			if err := r.report(op, "", ""); err != nil {
				return r.res, err
			}
			continue
		}
		chunk = append(chunk, op)
		if len(chunk) == size {
			if err := r.chunk(ctx, chunk); err != nil {
				return r.res, err
			}
			chunk = chunk[:0]
			if r.stop() {
				return r.res, nil
			}
		}
	}
	if err := r.chunk(ctx, chunk); err != nil {
		return r.res, err
	}
	if in.Progress != nil {
		in.Progress(r.done, in.Total)
	}
	return r.res, nil
}

// run is one Run in progress.
type run struct {
	store crm.Records
	in    Input
	res   Result
	done  int
}

// chunk re-checks ops with one call of Current, writes those still as
// planned, and reports every op.
func (r *run) chunk(ctx context.Context, ops []plan.Op) error {
	if len(ops) == 0 {
		return nil
	}
	s := r.in.Scope
	if r.in.Renew != nil {
		if err := r.in.Renew(ctx); err != nil {
			return err
		}
	}
	lo, hi, err := idRange(ops)
	if err != nil {
		return fmt.Errorf("apply %s: %w", s.User, err)
	}
	current, err := r.store.Current(ctx, s, lo, hi)
	if err != nil {
		return fmt.Errorf("apply %s: re-check records: %w", s.User, err)
	}
	decisions := make([]decision, len(ops))
	reasons := make([]string, len(ops))
	var writes []crm.Write
	for i, op := range ops {
		var cur *crm.Stored
		if found, ok := current[op.ID]; ok {
			cur = &found
		}
		decisions[i], reasons[i] = decide(s.ImportID, op, cur)
		if decisions[i] == write {
			writes = append(writes, newWrite(op, cur))
		}
	}
	if len(writes) > 0 {
		ws := s
		ws.Chunk = lo // the same when the chunk is retried
		if err := r.store.Write(ctx, ws, writes); err != nil {
			return fmt.Errorf("apply %s: %w", s.User, err)
		}
	}
	for i, op := range ops {
		var status outcome.Status
		switch decisions[i] {
		case alreadyApplied:
			r.res.AlreadyApplied++
		case conflict:
			status = outcome.Conflict
		}
		if err := r.report(op, status, reasons[i]); err != nil {
			return err
		}
	}
	if r.in.Progress != nil {
		r.in.Progress(r.done, r.in.Total)
	}
	return nil
}

// idRange returns the lowest and highest record ID of ops.
func idRange(ops []plan.Op) (lo, hi string, err error) {
	seen := make(map[string]bool, len(ops))
	lo, hi = ops[0].ID, ops[0].ID
	for _, op := range ops {
		if op.ID == "" || seen[op.ID] {
			// One batch cannot hold a record twice, and a plan that names
			// a record twice cannot be applied in a defined order.
			return "", "", crm.Errorf(crm.Internal, "the plan writes record %q twice or without an ID (row %d)", op.ID, op.Row)
		}
		seen[op.ID] = true
		lo, hi = min(lo, op.ID), max(hi, op.ID)
	}
	return lo, hi, nil
}

// newWrite is the write that carries out op on cur, the record as found
// (nil if there is none).
func newWrite(op plan.Op, cur *crm.Stored) crm.Write {
	w := crm.Write{ID: op.ID, Row: op.Row, Before: cur}
	switch op.Kind {
	case plan.OpCreate:
		w.Kind = crm.WriteCreate
	case plan.OpUpdate:
		w.Kind = crm.WriteUpdate
	case plan.OpDelete:
		// A deleted record has no version after; undo checks it is still
		// absent.
		w.Kind = crm.WriteDelete
		return w
	}
	w.Fields, w.Version = op.Fields, op.Version+1
	return w
}

// report sends op's outcome (status "" means as planned) and counts it.
func (r *run) report(op plan.Op, status outcome.Status, reason string) error {
	r.done++
	row := outcome.FromOp(r.in.Scope.User, r.in.Scope.Entity, op)
	if status != "" {
		row.Status, row.Reason, row.Changes = status, reason, nil
	}
	switch row.Status {
	case outcome.Created:
		r.res.Created++
	case outcome.Updated:
		r.res.Updated++
	case outcome.Deleted:
		r.res.Deleted++
	case outcome.Unchanged:
		r.res.Unchanged++
	case outcome.Skipped:
		r.res.Skipped++
	case outcome.Error:
		r.res.Errors++
	case outcome.Conflict:
		r.res.Conflicts++
	}
	if r.in.Outcome == nil {
		return nil
	}
	if err := r.in.Outcome(row); err != nil {
		return fmt.Errorf("apply %s: report row %d: %w", r.in.Scope.User, op.Row, err)
	}
	return nil
}
