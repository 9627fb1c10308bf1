package check

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/crmimport/crm-import/internal/sheet"
)

// Up to batchSize rows, or batchBytes of cell text, are read, validated and
// handed over together, so that the goroutines synchronise once per batch
// rather than once per row. The byte bound keeps a file of huge cells from
// filling memory with a few hundred of its rows per batch; the cell bound
// does the same for a file of wide rows, which cost 56 bytes a cell even
// when empty (rows are as wide as the header: 16,384 columns take 0.9 MB a
// row). pipelineCells is shared by every batch in flight (see start), so
// the bound holds whatever the number of CPUs.
const (
	batchSize     = 256
	batchBytes    = 1 << 20
	pipelineCells = 1 << 18 // 14 MiB of cells
)

type item struct {
	row sheet.Row
	err error // from the reader; row is unset
	rec record
}

type batch struct {
	items []item
	done  chan struct{} // closed once every item is validated
}

// pipeline reads batches in one goroutine and validates them in others.
// Batches reach inOrder in file order; at most about three per worker are
// in memory at once (a few MiB).
type pipeline struct {
	inOrder <-chan *batch
	wg      sync.WaitGroup
}

func (p *pipeline) wait() { p.wg.Wait() }

func (c *checker) start(ctx context.Context, r sheet.Reader) *pipeline {
	workers := runtime.GOMAXPROCS(0)
	todo := make(chan *batch, workers)
	inOrder := make(chan *batch, 2*workers)
	p := &pipeline{inOrder: inOrder}
	// In flight: the batches inOrder holds, the one being read and the
	// one being handed over.
	batchCells := max(1, pipelineCells/(2*workers+2))

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(todo)
		defer close(inOrder)
		for {
			b := &batch{done: make(chan struct{})}
			last, size, cells := false, 0, 0
			for len(b.items) < batchSize && size < batchBytes && cells < batchCells && !last {
				row, err := r.Next()
				if err == io.EOF {
					last = true
					break
				}
				b.items = append(b.items, item{row: row, err: err})
				cells += len(row.Cells)
				for _, c := range row.Cells {
					size += len(c.Text)
				}
				var se *sheet.Error
				last = err != nil && !(errors.As(err, &se) && se.RowOnly)
			}
			if len(b.items) > 0 {
				select {
				case inOrder <- b:
				case <-ctx.Done():
					return
				}
				select {
				case todo <- b:
				case <-ctx.Done():
					return
				}
			}
			if last {
				return
			}
		}
	}()

	for w := 0; w < workers; w++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for b := range todo {
				for i := range b.items {
					if b.items[i].err == nil {
						b.items[i].rec = c.record(b.items[i].row)
					}
					// Only the record is handed over: the cells go now,
					// not when the batch's turn comes.
					b.items[i].row = sheet.Row{}
				}
				close(b.done)
			}
		}()
	}
	return p
}
