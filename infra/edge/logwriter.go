package main

import (
	"bytes"
	"io"
	"sync"
)

// lineWriter prefixes each line a function writes with its name, so the
// edge's log shows whose slog line is whose.
type lineWriter struct {
	out    io.Writer
	prefix []byte
	buf    []byte
}

var logMu sync.Mutex

func newLineWriter(out io.Writer, name string) *lineWriter {
	return &lineWriter{out: out, prefix: []byte(name + " | ")}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		logMu.Lock()
		_, _ = l.out.Write(append(append([]byte{}, l.prefix...), l.buf[:i+1]...))
		logMu.Unlock()
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}
