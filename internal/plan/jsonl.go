package plan

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Source yields ops one at a time; Next returns io.EOF after the last. Apply
// reads a plan through it, so a plan streamed from S3 is never held whole.
type Source interface {
	Next() (Op, error)
}

// Writer writes ops as JSON lines.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter writes to w; call Flush at the end.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	return &Writer{w: bw, enc: json.NewEncoder(bw)}
}

// Write writes one op as one line.
func (w *Writer) Write(op Op) error {
	if err := w.enc.Encode(op); err != nil {
		return fmt.Errorf("write op of row %d: %w", op.Row, err)
	}
	return nil
}

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// WriteOps writes ops as JSON lines to w.
func WriteOps(w io.Writer, ops []Op) error {
	pw := NewWriter(w)
	for _, op := range ops {
		if err := pw.Write(op); err != nil {
			return err
		}
	}
	return pw.Flush()
}

// Reader reads ops written by Writer.
type Reader struct {
	dec  *json.Decoder
	line int
}

// NewReader reads JSON lines of ops from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{dec: json.NewDecoder(bufio.NewReader(r))}
}

// Next returns the next op, or io.EOF after the last.
func (r *Reader) Next() (Op, error) {
	var op Op
	if err := r.dec.Decode(&op); err != nil {
		if errors.Is(err, io.EOF) {
			return Op{}, io.EOF
		}
		return Op{}, fmt.Errorf("read plan op %d: %w", r.line+1, err)
	}
	r.line++
	return op, nil
}

// Ops is a Source over ops in memory.
func Ops(ops []Op) Source { return &sliceSource{ops: ops} }

type sliceSource struct{ ops []Op }

func (s *sliceSource) Next() (Op, error) {
	if len(s.ops) == 0 {
		return Op{}, io.EOF
	}
	op := s.ops[0]
	s.ops = s.ops[1:]
	return op, nil
}
