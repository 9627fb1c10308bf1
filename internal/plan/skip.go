package plan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Skip reads past the first n ops of a plan file NewWriter wrote (one op a
// line) without decoding them: an apply that goes on where an earlier
// invocation stopped passes over the ops that one carried out. A plan of
// fewer than n ops is an error.
func Skip(r *bufio.Reader, n int) error {
	for i := range n {
		for {
			_, err := r.ReadSlice('\n')
			if err == nil {
				break
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue // a line longer than the buffer: read on to its end
			}
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("skip %d ops of the plan: it ends after %d", n, i)
			}
			return fmt.Errorf("skip %d ops of the plan: %w", n, err)
		}
	}
	return nil
}
