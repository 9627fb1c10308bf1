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
// filling memory with a few hundred of its rows per batch.
const (
	batchSize  = 256
	batchBytes = 1 << 20
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

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(todo)
		defer close(inOrder)
		for {
			b := &batch{done: make(chan struct{})}
			last, size := false, 0
			for len(b.items) < batchSize && size < batchBytes && !last {
				row, err := r.Next()
				if err == io.EOF {
					last = true
					break
				}
				b.items = append(b.items, item{row: row, err: err})
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
				}
				close(b.done)
			}
		}()
	}
	return p
}
