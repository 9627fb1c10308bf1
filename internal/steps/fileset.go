package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/crmimport/crm-import/internal/crm"
)

// fileSetBuffer is how many bytes of rows a fileSet holds in memory, over
// all its files, before it writes them out.
const fileSetBuffer = 32 << 20

// fileSet writes rows as JSON lines to one local file per name.
//
// It holds no file open between writes: a file of 10,000 users would need
// 10,000 descriptors, past Lambda's limit of 1,024, and a buffered writer
// each (32 KB apiece: 320 MB). Instead each file's rows wait in one memory
// buffer, and once the buffers hold limit bytes in all, every buffer is
// appended to its file (opened, written, closed) and emptied. The memory is
// the limit whatever the number of files; the cost is one open per file
// per flush, not per row.
type fileSet struct {
	dir   string
	limit int
	bufs  map[string]*bytes.Buffer
	held  int // bytes in bufs
	// seen are the names written to, including those already flushed.
	seen map[string]bool
}

func newFileSet(dir string) *fileSet {
	return &fileSet{dir: dir, limit: fileSetBuffer, bufs: map[string]*bytes.Buffer{}, seen: map[string]bool{}}
}

func (fs *fileSet) path(name string) string { return filepath.Join(fs.dir, name+".jsonl") }
func (fs *fileSet) count() int              { return len(fs.seen) }
func (fs *fileSet) has(name string) bool    { return fs.seen[name] }

// write adds r as one JSON line to the file name.
func (fs *fileSet) write(name string, r crm.Row) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	b := fs.bufs[name]
	if b == nil {
		b = &bytes.Buffer{}
		fs.bufs[name] = b
	}
	if !fs.seen[name] {
		// Created now, so that a name with no row left in memory still
		// has its (empty or flushed) file.
		f, err := os.Create(fs.path(name))
		if err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		fs.seen[name] = true
	}
	b.Write(line)
	b.WriteByte('\n')
	fs.held += len(line) + 1
	if fs.held >= fs.limit {
		return fs.flush()
	}
	return nil
}

// flush appends every buffer to its file. The names go in order, so a
// failure is the same one each time.
func (fs *fileSet) flush() error {
	names := make([]string, 0, len(fs.bufs))
	for name, b := range fs.bufs {
		if b.Len() > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if err := fs.appendTo(name, fs.bufs[name]); err != nil {
			return err
		}
	}
	// The buffers go too: a name written once early in the file should
	// not keep its grown buffer for the rest of it.
	clear(fs.bufs)
	fs.held = 0
	return nil
}

func (fs *fileSet) appendTo(name string, b *bytes.Buffer) error {
	f, err := os.OpenFile(fs.path(name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := b.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// close drops what was not flushed; the files are the caller's to remove.
func (fs *fileSet) close() {
	clear(fs.bufs)
	fs.held = 0
}
