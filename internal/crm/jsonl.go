package crm

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Work files that hold many items (rows, plan ops, outcomes) are JSON
// lines: one JSON object a line, so that a step streams them in and out
// without holding a file whole.

// LineWriter writes values of T as JSON lines.
type LineWriter[T any] struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   int
}

// NewLineWriter writes to w; call Flush at the end.
func NewLineWriter[T any](w io.Writer) *LineWriter[T] {
	bw := bufio.NewWriterSize(w, 32<<10)
	return &LineWriter[T]{w: bw, enc: json.NewEncoder(bw)}
}

// Write writes one value as one line.
func (w *LineWriter[T]) Write(v T) error {
	w.n++
	if err := w.enc.Encode(v); err != nil {
		return fmt.Errorf("write line %d: %w", w.n, err)
	}
	return nil
}

// Lines reports how many values were written.
func (w *LineWriter[T]) Lines() int { return w.n }

// Flush writes what is buffered.
func (w *LineWriter[T]) Flush() error { return w.w.Flush() }

// LineReader reads values of T written by a LineWriter.
type LineReader[T any] struct {
	dec  *json.Decoder
	line int
}

// NewLineReader reads JSON lines from r.
func NewLineReader[T any](r io.Reader) *LineReader[T] {
	return &LineReader[T]{dec: json.NewDecoder(bufio.NewReader(r))}
}

// Next returns the next value, or io.EOF after the last.
func (r *LineReader[T]) Next() (T, error) {
	var v T
	if err := r.dec.Decode(&v); err != nil {
		var zero T
		if errors.Is(err, io.EOF) {
			return zero, io.EOF
		}
		return zero, fmt.Errorf("read line %d: %w", r.line+1, err)
	}
	r.line++
	return v, nil
}

// ReadLines reads every value of r, calling each in order.
func ReadLines[T any](r io.Reader, each func(T) error) error {
	lr := NewLineReader[T](r)
	for {
		v, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := each(v); err != nil {
			return err
		}
	}
}
