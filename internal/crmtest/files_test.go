package crmtest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestFilesMissingKeyIsNotFound(t *testing.T) {
	ctx := context.Background()
	files := NewFiles()
	tests := []struct {
		method string
		call   func() error
	}{
		{"Open", func() error { _, err := files.Open(ctx, "work/x"); return err }},
		{"Download", func() error { return files.Download(ctx, crm.Object{Key: "work/x"}, filepath.Join(t.TempDir(), "x")) }},
		{"Stat", func() error { _, err := files.Stat(ctx, crm.Object{Key: "work/x"}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			err := tt.call()
			if got := crm.KindOf(err); got != crm.NotFound {
				t.Errorf("%s(missing) kind = %q, want %q", tt.method, got, crm.NotFound)
			}
			if got, want := crm.Message(err), "file work/x does not exist"; got != want {
				t.Errorf("%s(missing) message = %q, want %q", tt.method, got, want)
			}
		})
	}
}

func TestFilesKeepWhatWasPut(t *testing.T) {
	ctx := context.Background()
	local := filepath.Join(t.TempDir(), "local.csv")
	if err := os.WriteFile(local, []byte("a,b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name            string
		put             func(*Files) error
		wantData        string
		wantContentType string
		wantMetadata    map[string]string
	}{
		{"Put keeps the bytes and content type", func(f *Files) error { return f.Put(ctx, "k", []byte(`{}`), crm.JSON) }, `{}`, crm.JSON, map[string]string{}},
		{"PutFile uploads the local file", func(f *Files) error { return f.PutFile(ctx, "k", local, crm.CSV) }, "a,b\n", crm.CSV, map[string]string{}},
		{"Add keeps an upload's metadata", func(f *Files) error { f.Add("k", []byte("x"), map[string]string{"config": "de"}); return nil }, "x", "", map[string]string{"config": "de"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := NewFiles()
			if err := tt.put(files); err != nil {
				t.Fatalf("put: %v", err)
			}
			body, err := files.Open(ctx, "k")
			if err != nil {
				t.Fatalf("Open(k) error = %v", err)
			}
			data, _ := io.ReadAll(body)
			if string(data) != tt.wantData {
				t.Errorf("Open(k) = %q, want %q", data, tt.wantData)
			}
			downloaded := filepath.Join(t.TempDir(), "k")
			if err := files.Download(ctx, crm.Object{Key: "k"}, downloaded); err != nil {
				t.Fatalf("Download(k) error = %v", err)
			}
			if data, _ := os.ReadFile(downloaded); string(data) != tt.wantData {
				t.Errorf("Download(k) wrote %q, want %q", data, tt.wantData)
			}
			if o, _ := files.Object("k"); o.ContentType != tt.wantContentType {
				t.Errorf("Object(k).ContentType = %q, want %q", o.ContentType, tt.wantContentType)
			}
			info, err := files.Stat(ctx, crm.Object{Key: "k"})
			meta := info.Metadata
			if err != nil || meta == nil || len(meta) != len(tt.wantMetadata) || meta["config"] != tt.wantMetadata["config"] {
				t.Errorf("Stat(k).Metadata = %v, %v, want %v", meta, err, tt.wantMetadata)
			}
			if info.Size != int64(len(tt.wantData)) {
				t.Errorf("Stat(k).Size = %d, want %d", info.Size, len(tt.wantData))
			}
		})
	}
}

func TestFailCallFailsOnlyTheNthCall(t *testing.T) {
	ctx := context.Background()
	files := NewFiles()
	busy := crm.Errorf(crm.Unavailable, "file storage is busy")
	files.FailCall("Put", 2, busy)

	var got []error
	for range 3 {
		got = append(got, files.Put(ctx, "k", []byte("x"), crm.JSON))
	}
	want := []error{nil, busy, nil}
	for i := range want {
		if !errors.Is(got[i], want[i]) {
			t.Errorf("Put call %d = %v, want %v", i+1, got[i], want[i])
		}
	}
	if n := files.Calls("Put"); n != 3 {
		t.Errorf("Calls(Put) = %d, want 3", n)
	}

	files.FailNext("Put", busy)
	if err := files.Put(ctx, "k", []byte("x"), crm.JSON); !errors.Is(err, busy) {
		t.Errorf("Put after FailNext = %v, want %v", err, busy)
	}
	if err := files.Put(ctx, "k", []byte("x"), crm.JSON); err != nil {
		t.Errorf("Put after the failed one = %v, want nil", err)
	}
}

func TestFilesPinUploadsByETag(t *testing.T) {
	files := NewFiles()
	ctx := context.Background()
	files.Add("incoming/acme/customers/x.csv", []byte("first"), nil)
	first := crm.Object{Key: "incoming/acme/customers/x.csv", ETag: ETag([]byte("first"))}
	if _, err := files.Stat(ctx, first); err != nil {
		t.Fatalf("Stat(the upload as it is) = %v, want no error", err)
	}
	files.Add("incoming/acme/customers/x.csv", []byte("second"), nil)
	for _, read := range []struct {
		name string
		do   func() error
	}{
		{"Stat", func() error { _, err := files.Stat(ctx, first); return err }},
		{"Download", func() error { return files.Download(ctx, first, filepath.Join(t.TempDir(), "x")) }},
	} {
		if err := read.do(); crm.KindOf(err) != crm.Conflict {
			t.Errorf("%s(the first upload, replaced since) = %v, want a Conflict", read.name, err)
		}
	}
}
