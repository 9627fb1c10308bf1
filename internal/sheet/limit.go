package sheet

import (
	"errors"
	"io"
)

const (
	defaultMaxCell     = 1 << 20
	defaultMaxUnpacked = 1 << 30
)

func (o Options) maxCell() int {
	if o.MaxCellBytes > 0 {
		return o.MaxCellBytes
	}
	return defaultMaxCell
}

func (o Options) maxUnpacked() int64 {
	if o.MaxUnpackedSize > 0 {
		return o.MaxUnpackedSize
	}
	return defaultMaxUnpacked
}

var errTooLong = errors.New("too much data without a row or cell boundary")

// budget is a reader that fails once more than max bytes were read since
// the last reset. Parsers that buffer a whole record (csvRecords) or a
// whole text node (encoding/xml) would otherwise hold a cell of any size in
// memory; resetting the budget at each record or token bounds that.
type budget struct {
	r    io.Reader
	left int
	max  int
}

func newBudget(r io.Reader, max int) *budget { return &budget{r: r, left: max, max: max} }

func (b *budget) reset() { b.left = b.max }

func (b *budget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooLong
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}
