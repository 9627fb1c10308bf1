package outcome

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Log writes outcomes as JSON lines.
type Log struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewLog writes to w; call Flush at the end.
func NewLog(w io.Writer) *Log {
	bw := bufio.NewWriter(w)
	return &Log{w: bw, enc: json.NewEncoder(bw)}
}

// Write writes one outcome as one line.
func (l *Log) Write(r Row) error {
	if err := l.enc.Encode(r); err != nil {
		return fmt.Errorf("write outcome of row %d: %w", r.Row, err)
	}
	return nil
}

// Flush writes what is buffered.
func (l *Log) Flush() error { return l.w.Flush() }
