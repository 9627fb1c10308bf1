package apiclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// received is what the fake S3 read of a presigned POST.
type received struct {
	contentLength int64
	chunked       bool
	parts         []string // form names in order
	fields        Fields
	fileName      string
	fileSum       [32]byte
	fileSize      int64
}

// fakeS3 answers a presigned POST as S3 does (204), reading the
// multipart body part by part without keeping the file.
func fakeS3(t *testing.T, status int, body string) (*httptest.Server, *received) {
	t.Helper()
	got := &received{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.contentLength = r.ContentLength
		got.chunked = len(r.TransferEncoding) > 0
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			got.parts = append(got.parts, p.FormName())
			if p.FormName() == "file" {
				h := sha256.New()
				got.fileSize, _ = io.Copy(h, p)
				copy(got.fileSum[:], h.Sum(nil))
				got.fileName = p.FileName()
				continue
			}
			v, _ := io.ReadAll(p)
			got.fields = append(got.fields, Field{p.FormName(), string(v)})
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// randomFile writes size random bytes to a file of the test's and
// returns its path and checksum.
func randomFile(t testing.TB, name string, size int64) (string, [32]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.Reader, size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return path, sum
}

// TestUploadSendsTheFieldsInOrderThenTheFile: the body is S3's presigned
// POST, the fields as the API listed them and the file last as "file",
// with a Content-Length (S3 refuses a POST without one).
func TestUploadSendsTheFieldsInOrderThenTheFile(t *testing.T) {
	srv, got := fakeS3(t, http.StatusNoContent, "")
	path, sum := randomFile(t, "agents.xlsx", 300_000)
	fields := Fields{{"key", "incoming/acme/customers/imp1/agents.xlsx"}, {"x-amz-meta-import-id", "imp1"}, {"Policy", "eyJ..."}, {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"}, {"X-Amz-Signature", "abc"}}
	up := Upload{URL: srv.URL, Method: "POST", Fields: fields, MaxBytes: 1 << 20}

	var calls [][2]int64
	err := (&Client{}).Upload(context.Background(), up, path, func(done, total int64) { calls = append(calls, [2]int64{done, total}) })
	if err != nil {
		t.Fatalf("Upload() = %v, want no error", err)
	}
	wantParts := []string{"key", "x-amz-meta-import-id", "Policy", "X-Amz-Algorithm", "X-Amz-Signature", "file"}
	if !cmp.Equal(got.parts, wantParts) || !cmp.Equal(got.fields, fields) {
		t.Errorf("parts = %v, fields %v, want %v, %v", got.parts, got.fields, wantParts, fields)
	}
	if got.fileName != "agents.xlsx" || got.fileSize != 300_000 || got.fileSum != sum {
		t.Errorf("file part = %q, %d bytes, sum %x, want agents.xlsx, 300000 bytes, sum %x", got.fileName, got.fileSize, got.fileSum, sum)
	}
	if got.contentLength <= 300_000 || got.chunked {
		t.Errorf("Content-Length = %d (chunked %v), want the body's length, more than the file's", got.contentLength, got.chunked)
	}

	// Progress: from 0, never backwards, to the file's size, each call
	// with the size as total.
	if len(calls) < 3 || calls[0] != [2]int64{0, 300_000} || calls[len(calls)-1] != [2]int64{300_000, 300_000} {
		t.Fatalf("progress calls = %v, want 0/300000 first, 300000/300000 last, some between", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != 300_000 {
			t.Errorf("progress call %d = %v after %v, want done growing and total 300000", i, calls[i], calls[i-1])
		}
	}
}

// TestUploadStreamsTheFile: a file of 64 MiB is sent with much less
// memory than its size (the fake S3 in the same process reads it
// streaming too).
func TestUploadStreamsTheFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB file")
	}
	const size = 64 << 20
	srv, got := fakeS3(t, http.StatusNoContent, "")
	path, sum := randomFile(t, "big.csv", size)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := (&Client{}).Upload(context.Background(), Upload{URL: srv.URL, Fields: Fields{{"key", "k"}}}, path, nil)
	runtime.ReadMemStats(&after)
	if err != nil || got.fileSum != sum {
		t.Fatalf("Upload(64 MiB) = %v, sum %x, want the file sent, sum %x", err, got.fileSum, sum)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("Upload(64 MiB) allocated %d MiB, want less than %d MiB: the file must be streamed", alloc>>20, size/4>>20)
	}
}

// TestUploadRefusals: a file over the upload's limit is refused before a
// byte is sent; S3's refusals are read from its XML into words.
func TestUploadRefusals(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		maxBytes int64
		want     string
		sent     bool
	}{
		{"a file over the limit", 204, "", 1000, "agents.csv is 2000 bytes, more than the 1000 bytes an upload may have", false},
		{"S3 says too large", 400, `<?xml version="1.0"?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>`, 0, "the file is larger than the upload allows", true},
		{"the policy expired", 403, `<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>`, 0, "the upload's permission has expired: start the upload again", true},
		{"another refusal", 403, `<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy Condition failed: ["eq", "$key", "x"]</Message></Error>`, 0, `the upload was refused: Invalid according to Policy: Policy Condition failed: ["eq", "$key", "x"]`, true},
		{"not XML", 500, `oops`, 0, "the upload was refused: 500 Internal Server Error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := fakeS3(t, tt.status, tt.body)
			path, _ := randomFile(t, "agents.csv", 2000)
			err := (&Client{}).Upload(context.Background(), Upload{URL: srv.URL, Fields: Fields{{"key", "k"}}, MaxBytes: tt.maxBytes}, path, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Upload() = %v, want %q", err, tt.want)
			}
			if sent := len(got.parts) > 0; sent != tt.sent {
				t.Errorf("sent = %v, want %v", sent, tt.sent)
			}
			var e *Error
			if tt.sent && (!errors.As(err, &e) || e.Status != tt.status) {
				t.Errorf("Upload() = %#v, want an *Error with status %d", err, tt.status)
			}
		})
	}
}

// TestFieldsKeepTheirOrderThroughJSON: S3 reads the fields in order, so
// decoding keeps the order the API wrote, and encoding writes it back.
func TestFieldsKeepTheirOrderThroughJSON(t *testing.T) {
	const in = `{"x-amz-meta-import-id":"imp1","key":"k","Policy":"p","X-Amz-Signature":"s"}`
	var f Fields
	if err := f.UnmarshalJSON([]byte(in)); err != nil {
		t.Fatal(err)
	}
	want := Fields{{"x-amz-meta-import-id", "imp1"}, {"key", "k"}, {"Policy", "p"}, {"X-Amz-Signature", "s"}}
	if !cmp.Equal(f, want) || f.Get("key") != "k" {
		t.Errorf("UnmarshalJSON(%s) = %v, want %v", in, f, want)
	}
	if out, _ := f.MarshalJSON(); string(out) != in {
		t.Errorf("MarshalJSON() = %s, want %s", out, in)
	}
	if err := new(Fields).UnmarshalJSON([]byte(`["key"]`)); err == nil || !strings.Contains(err.Error(), "want a JSON object") {
		t.Errorf("UnmarshalJSON([key]) = %v, want an error saying an object is wanted", err)
	}
}
