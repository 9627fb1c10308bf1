package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/crmimport/crm-import/internal/bucket"
	"github.com/crmimport/crm-import/internal/crm"
)

// storedPost is what the fake moto behind the edge was asked to store.
type storedPost struct {
	fields map[string]string
	file   []byte
}

// postWorld is an edge in front of a fake moto that records the forms it
// receives, and the project's own presigner (internal/bucket) signing for
// the bucket "uploads" with the local cloud's credentials.
type postWorld struct {
	url     string
	motoURL string
	uploads *bucket.Uploads
	mu      sync.Mutex
	stored  []storedPost
}

func newPostWorld(t testing.TB) *postWorld {
	t.Helper()
	w := &postWorld{}
	moto := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			http.Error(rw, err.Error(), 400)
			return
		}
		p := storedPost{fields: map[string]string{}}
		for k, v := range r.MultipartForm.Value {
			p.fields[strings.ToLower(k)] = v[0]
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(rw, err.Error(), 400)
			return
		}
		p.file, _ = io.ReadAll(f)
		w.mu.Lock()
		w.stored = append(w.stored, p)
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(moto.Close)
	w.motoURL = moto.URL
	e, err := newEdge(config{MotoURL: moto.URL, Region: "us-east-1", SecretKey: "test"}, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	w.url = srv.URL
	client := s3.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("fn-ApiFunction", "test", ""), BaseEndpoint: aws.String(srv.URL),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	w.uploads = bucket.NewUploads(client, "uploads")
	return w
}

const postKey = "incoming/acme/customers/imp-0123456789abcdef0123456789/agents.csv"

// form signs the upload of postKey, at most 100 bytes, for the import.
func (w *postWorld) form(t testing.TB) crm.UploadForm {
	t.Helper()
	f, err := w.uploads.PresignUpload(context.Background(), crm.UploadRequest{
		Key: postKey, MaxBytes: 100, Expires: 15 * time.Minute, Metadata: map[string]string{"import-id": "imp-0123456789abcdef0123456789"},
	})
	if err != nil {
		t.Fatalf("PresignUpload() error = %v", err)
	}
	return f
}

// postForm sends fields (in order of name) and then the file, as a browser
// sends a form.
func postForm(t testing.TB, url string, fields map[string]string, file []byte) (int, s3Error) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		_ = mw.WriteField(k, fields[k])
	}
	fw, _ := mw.CreateFormFile("file", "agents.csv")
	_, _ = fw.Write(file)
	_ = mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var e s3Error
	body, _ := io.ReadAll(resp.Body)
	_ = xml.Unmarshal(body, &e)
	return resp.StatusCode, e
}

// resigned is the form with its policy's document changed by edit and
// signed again with the local secret: a policy the signer could have made.
func resigned(t *testing.T, fields map[string]string, edit func(doc map[string]any)) map[string]string {
	t.Helper()
	raw, _ := base64.StdEncoding.DecodeString(fields["policy"])
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	raw, _ = json.Marshal(doc)
	out := maps.Clone(fields)
	out["policy"] = base64.StdEncoding.EncodeToString(raw)
	scope := strings.Split(fields["X-Amz-Credential"], "/")
	out["X-Amz-Signature"] = signPolicy(out["policy"], "test", scope[1], scope[2], scope[3])
	return out
}

func TestPresignedPostIsCheckedAsS3ChecksIt(t *testing.T) {
	csv := []byte("Customer number,Name\n1001,Müller GmbH\n")
	tests := []struct {
		name       string
		change     func(t *testing.T, f map[string]string) map[string]string
		file       []byte
		wantStatus int
		wantCode   string
		wantInMsg  string
	}{
		{name: "the form as signed is stored", file: csv, wantStatus: 204},
		{
			name: "a file over the policy's range is too large", file: bytes.Repeat([]byte("x"), 101),
			wantStatus: 400, wantCode: "EntityTooLarge",
		},
		{
			name: "another key fails its condition",
			change: func(_ *testing.T, f map[string]string) map[string]string {
				f["key"] = "incoming/acme/customers/other.csv"
				return f
			},
			file: csv, wantStatus: 403, wantCode: "AccessDenied", wantInMsg: `Policy Condition failed: ["eq","$key","` + postKey + `"]`,
		},
		{
			name: "another import id in the metadata fails its condition",
			change: func(_ *testing.T, f map[string]string) map[string]string {
				f["x-amz-meta-import-id"] = "imp-ffffffffffffffffffffffffff"
				return f
			},
			file: csv, wantStatus: 403, wantCode: "AccessDenied", wantInMsg: "Policy Condition failed",
		},
		{
			name:   "a field no condition covers is refused",
			change: func(_ *testing.T, f map[string]string) map[string]string { f["x-amz-meta-config"] = "other"; return f },
			file:   csv, wantStatus: 403, wantCode: "AccessDenied", wantInMsg: "Extra input fields: x-amz-meta-config",
		},
		{
			name:   "an x-ignore- field needs no condition",
			change: func(_ *testing.T, f map[string]string) map[string]string { f["x-ignore-note"] = "hi"; return f },
			file:   csv, wantStatus: 204,
		},
		{
			name: "an expired policy is refused",
			change: func(t *testing.T, f map[string]string) map[string]string {
				return resigned(t, f, func(doc map[string]any) { doc["expiration"] = "2020-01-01T00:00:00Z" })
			},
			file: csv, wantStatus: 403, wantCode: "AccessDenied", wantInMsg: "Policy expired",
		},
		{
			name: "a policy changed without the secret does not match its signature",
			change: func(t *testing.T, f map[string]string) map[string]string {
				g := resigned(t, f, func(doc map[string]any) { doc["conditions"] = []any{} })
				g["X-Amz-Signature"] = f["X-Amz-Signature"]
				return g
			},
			file: csv, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
		},
		{
			name: "a signature with another secret does not match",
			change: func(_ *testing.T, f map[string]string) map[string]string {
				mac := hmac.New(sha256.New, []byte("guess"))
				mac.Write([]byte(f["policy"]))
				f["X-Amz-Signature"] = hex.EncodeToString(mac.Sum(nil))
				return f
			},
			file: csv, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
		},
		{
			name:   "a form without a policy is an anonymous upload, refused",
			change: func(_ *testing.T, f map[string]string) map[string]string { delete(f, "policy"); return f },
			file:   csv, wantStatus: 403, wantCode: "AccessDenied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newPostWorld(t)
			form := w.form(t)
			if !strings.HasSuffix(form.URL, "/uploads") {
				t.Fatalf("PresignUpload() URL = %s, want the bucket's path-style URL", form.URL)
			}
			fields := maps.Clone(form.Fields)
			if tt.change != nil {
				fields = tt.change(t, fields)
			}
			status, e := postForm(t, form.URL, fields, tt.file)
			if status != tt.wantStatus || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantInMsg) {
				t.Errorf("POST = %d %s %q, want %d %s naming %q", status, e.Code, e.Message, tt.wantStatus, tt.wantCode, tt.wantInMsg)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if tt.wantStatus != 204 {
				if len(w.stored) != 0 {
					t.Errorf("moto stored %d forms, want none", len(w.stored))
				}
				return
			}
			if len(w.stored) != 1 || w.stored[0].fields["key"] != postKey || !bytes.Equal(w.stored[0].file, tt.file) ||
				w.stored[0].fields["x-amz-meta-import-id"] != "imp-0123456789abcdef0123456789" {
				t.Errorf("moto stored %+v, want the file under %s with its import id", w.stored, postKey)
			}
		})
	}
}

func TestPresignedPostTooLargeNamesBothSizes(t *testing.T) {
	w := newPostWorld(t)
	form := w.form(t)
	_, e := postForm(t, form.URL, form.Fields, bytes.Repeat([]byte("x"), 5000))
	// The edge reads one byte past the maximum, as far as it must to know.
	if e.Code != "EntityTooLarge" || e.MaxSizeAllowed != 100 || e.ProposedSize != 101 {
		t.Errorf("POST of 5000 bytes = %s, proposed %d, max %d, want EntityTooLarge, past 100, max 100", e.Code, e.ProposedSize, e.MaxSizeAllowed)
	}
}

func TestIsPresignedPostTellsFormsFromOtherPosts(t *testing.T) {
	tests := []struct {
		name, method, target, contentType string
		want                              bool
	}{
		{"a form to a bucket", "POST", "/uploads", "multipart/form-data; boundary=x", true},
		{"a form to a bucket, trailing slash", "POST", "/uploads/", "multipart/form-data; boundary=x", true},
		{"DeleteObjects", "POST", "/uploads?delete", "application/xml", false},
		{"a multipart upload's completion", "POST", "/uploads/k?uploadId=1", "application/xml", false},
		{"an API action form", "POST", "/", "application/x-www-form-urlencoded", false},
		{"a PUT", "PUT", "/uploads/k", "multipart/form-data; boundary=x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			r.Header.Set("Content-Type", tt.contentType)
			if got := isPresignedPost(r); got != tt.want {
				t.Errorf("isPresignedPost(%s %s) = %v, want %v", tt.method, tt.target, got, tt.want)
			}
		})
	}
}

// BenchmarkPresignedPost measures a checked presigned POST of a 1 MiB file
// through the edge against the floor of the same run: the same form posted
// straight to the (fake) moto behind it. "x-direct" is what checking the
// policy and spooling the file cost on top of the upload itself.
func BenchmarkPresignedPost(b *testing.B) {
	w := newPostWorld(b)
	f, err := w.uploads.PresignUpload(context.Background(), crm.UploadRequest{
		Key: postKey, MaxBytes: 2 << 20, Expires: 15 * time.Minute, Metadata: map[string]string{"import-id": "imp-0123456789abcdef0123456789"},
	})
	if err != nil {
		b.Fatal(err)
	}
	file := bytes.Repeat([]byte("1001,Müller GmbH,Berlin\n"), (1<<20)/25)
	direct := strings.Replace(f.URL, w.url, w.motoURL, 1)
	send := func(url string) {
		if code, e := postForm(b, url, f.Fields, file); code != http.StatusNoContent {
			b.Fatalf("POST %s = %d %+v", url, code, e)
		}
	}
	const baselineRuns = 20
	start := time.Now()
	for range baselineRuns {
		send(direct)
	}
	baseline := time.Since(start) / baselineRuns

	b.ResetTimer()
	for b.Loop() {
		send(f.URL)
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(baseline), "x-direct")
}
