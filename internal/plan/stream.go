package plan

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/lanrat/extsort"

	"github.com/crmimport/crm-import/internal/crm"
)

// Rows gives a user's rows in the file's order, calling each for every
// one; Stream calls it twice, and both times it must give the same rows.
type Rows func(each func(crm.Row) error) error

// streamChunk is how many ops the sort holds in memory before it writes a
// sorted run to a temporary file. The sort has up to five such chunks in
// hand (one filling, one sorting, two queued, one being written): at about
// 1 KB an op, some 25 MB. A variable, so a test can make it small.
var streamChunk = 5_000

// Stream plans rows against existing as Build does and gives the same
// plan, op by op to out in Build's order, and the same preview, without
// holding the rows or the plan: the first reading of the rows keeps only
// their key fields and numbers (which rows share a key), the second plans
// each row, and the ops are sorted by record ID in bounded memory (runs in
// temporary files in tmpDir, merged) on their way to out.
func Stream(ctx context.Context, existing []crm.Record, rows Rows, o Options, tmpDir string, out func(Op) error) (Preview, error) {
	if err := o.check(); err != nil {
		return Preview{}, fmt.Errorf("plan: %w", err)
	}
	b, err := newBuilder(existing, o)
	if err != nil {
		return Preview{}, err
	}
	n := 0
	err = rows(func(r crm.Row) error {
		b.addFileRow(r)
		n++
		return nil
	})
	if err != nil {
		return Preview{}, err
	}
	b.indexFile()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := make(chan seqOp, 1024)
	planned := make(chan error, 1)
	go func() {
		defer close(in)
		planned <- b.stream(ctx, rows, n, in)
	}()
	sorter, sorted, sortErr := extsort.Generic(in, decodeSeqOp, encodeSeqOp, compareSeqOps,
		&extsort.Config{ChunkSize: streamChunk, NumWorkers: 1, TempFilesDir: tmpDir, ChanBuffSize: 0})
	go sorter.Sort(ctx)
	sum := newSummary(n, o.SampleSize)
	var outErr error
	for op := range sorted {
		if outErr != nil {
			continue // drained, so the sort ends
		}
		sum.add(op.Op)
		if outErr = out(op.Op); outErr != nil {
			cancel()
		}
	}
	// sorted is closed: the sort ended, or failed (a full /tmp) and
	// stopped reading the planner, which would wait on it for ever.
	cancel()
	planErr, sortE := <-planned, <-sortErr
	switch {
	case outErr != nil:
		return Preview{}, outErr
	case sortE != nil:
		return Preview{}, fmt.Errorf("plan: sort the ops: %w", sortE)
	case planErr != nil:
		return Preview{}, planErr
	}
	return sum.preview(), nil
}

// stream plans each row (n of them, as the first reading found) and then
// the deletes, sending each op to ops numbered in the order Build makes
// them.
func (b *builder) stream(ctx context.Context, rows Rows, n int, ops chan<- seqOp) error {
	seq := 0
	send := func(op Op) error {
		if b.o.IDField != "" {
			byID(&op, b.o.IDField, b.o.IDColumn)
		}
		select {
		case ops <- seqOp{Seq: seq, Op: op}:
			seq++
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	i := 0
	err := rows(func(r crm.Row) error {
		if i >= n || (b.key != nil && (r.Number != b.numbers[i] || !slices.Equal(b.fileKeys[i], b.keyValues(r)))) {
			return fmt.Errorf("plan: the rows read again are not the rows read first (row %d)", r.Number)
		}
		op := b.row(i, r)
		i++
		return send(op)
	})
	if err != nil {
		return err
	}
	if i != n {
		return fmt.Errorf("plan: the rows read again are %d, first %d", i, n)
	}
	if b.o.Mode == crm.UpdateDelete {
		for _, op := range b.deletes() {
			if err := send(op); err != nil {
				return err
			}
		}
	}
	return nil
}

// seqOp is an op with its place in the order Build makes them, so the sort
// keeps ops that compare equal in that order, as Build's stable sort does.
type seqOp struct {
	Seq int `json:"q"`
	Op  Op  `json:"o"`
}

// compareSeqOps is sortOps' order: by record ID, ops without one last by
// row, then as made.
func compareSeqOps(a, b seqOp) int {
	byID := 0
	switch {
	case a.Op.ID == "" && b.Op.ID == "":
		byID = cmp.Compare(a.Op.Row, b.Op.Row)
	case a.Op.ID == "":
		byID = 1
	case b.Op.ID == "":
		byID = -1
	default:
		byID = cmp.Compare(a.Op.ID, b.Op.ID)
	}
	return cmp.Or(byID, cmp.Compare(a.Seq, b.Seq))
}

func encodeSeqOp(o seqOp) ([]byte, error) { return json.Marshal(o) }

func decodeSeqOp(b []byte) (seqOp, error) {
	var o seqOp
	err := json.Unmarshal(b, &o)
	return o, err
}
