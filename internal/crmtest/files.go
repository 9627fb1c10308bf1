package crmtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

// Object is a file as Files keeps it.
type Object struct {
	Data        []byte
	ContentType string
	Metadata    map[string]string
}

// Files is an in-memory crm.Files: objects by key, each with its content
// type and user metadata.
type Files struct {
	Faults
	mu      sync.Mutex
	objects map[string]Object
}

var _ crm.Files = (*Files)(nil)

// NewFiles returns an empty file store.
func NewFiles() *Files { return &Files{objects: map[string]Object{}} }

// Add stores an object as an upload would, with its metadata
// (x-amz-meta-* on S3).
func (f *Files) Add(key string, data []byte, metadata map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = Object{Data: bytes.Clone(data), Metadata: maps.Clone(metadata)}
}

// Object returns the object stored under key.
func (f *Files) Object(key string) (Object, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	o.Data = bytes.Clone(o.Data)
	return o, ok
}

// Data returns the content of key, nil when there is none.
func (f *Files) Data(key string) []byte {
	o, _ := f.Object(key)
	return o.Data
}

// Keys returns the keys that start with prefix, sorted.
func (f *Files) Keys(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// ETag is the ETag S3 gives an object put in one part: the hex MD5 of its
// bytes.
func ETag(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// getPinned returns the upload obj names: like the S3 adapter, a read
// whose ETag no longer matches is a Conflict (versions are not kept: the
// double has only the latest object under a key).
func (f *Files) getPinned(method string, obj crm.Object) (Object, error) {
	o, err := f.get(method, obj.Key)
	if err == nil && obj.ETag != "" && obj.ETag != ETag(o.Data) {
		return Object{}, crm.Errorf(crm.Conflict,
			"the file %s was replaced by a newer upload before it could be read; the newer upload is imported on its own", path.Base(obj.Key))
	}
	return o, err
}

// get returns the object under key, or the S3 adapter's NotFound error.
func (f *Files) get(method, key string) (Object, error) {
	if err := f.call(method); err != nil {
		return Object{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	if !ok {
		return Object{}, crm.Errorf(crm.NotFound, "file %s does not exist", key)
	}
	return o, nil
}

func (f *Files) Open(_ context.Context, key string) (io.ReadCloser, error) {
	o, err := f.get("Open", key)
	if err != nil {
		return nil, err
	}
	// Objects are replaced, never changed in place, so the reader may
	// share the bytes.
	return io.NopCloser(bytes.NewReader(o.Data)), nil
}

// Download writes the object to a real local file, as readers of
// workbooks need one.
func (f *Files) Download(_ context.Context, obj crm.Object, local string) error {
	o, err := f.getPinned("Download", obj)
	if err != nil {
		return err
	}
	if err := os.WriteFile(local, o.Data, 0o600); err != nil {
		return fmt.Errorf("download %s: %w", obj.Key, err)
	}
	return nil
}

func (f *Files) Stat(_ context.Context, obj crm.Object) (crm.FileInfo, error) {
	o, err := f.getPinned("Stat", obj)
	if err != nil {
		return crm.FileInfo{}, err
	}
	// S3 answers an object without metadata with an empty map.
	meta := maps.Clone(o.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	return crm.FileInfo{Size: int64(len(o.Data)), Metadata: meta}, nil
}

func (f *Files) PutFile(_ context.Context, key, path, contentType string) error {
	if err := f.call("PutFile"); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	f.put(key, data, contentType)
	return nil
}

func (f *Files) Put(_ context.Context, key string, data []byte, contentType string) error {
	if err := f.call("Put"); err != nil {
		return err
	}
	f.put(key, bytes.Clone(data), contentType)
	return nil
}

func (f *Files) put(key string, data []byte, contentType string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = Object{Data: data, ContentType: contentType}
}
