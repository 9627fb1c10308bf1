package apiclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"
)

// BenchmarkUpload: Upload's multipart POST of a 32 MiB file against, as
// the baseline, a plain PUT of the same file's bytes (http.Client with
// the *os.File as body, no multipart, no progress) to the same server in
// the same iteration. It reports the time ratio and the bytes Upload
// allocates per byte of the file (streaming keeps it far below 1).
func BenchmarkUpload(b *testing.B) {
	const size = 32 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mr, err := r.MultipartReader()
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			for p, err := mr.NextPart(); err == nil; p, err = mr.NextPart() {
				io.Copy(io.Discard, p)
			}
		} else {
			io.Copy(io.Discard, r.Body)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	path, _ := randomFile(b, "bench.csv", size)
	up := Upload{URL: srv.URL, Fields: Fields{{"key", "incoming/acme/customers/imp1/bench.csv"}, {"policy", "p"}, {"x-amz-signature", "s"}}}
	c := &Client{HTTP: srv.Client()}

	var tBase, tOurs time.Duration
	var alloc uint64
	var m0, m1 runtime.MemStats
	for b.Loop() {
		start := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPut, srv.URL, f)
		req.ContentLength = size
		resp, err := c.HTTP.Do(req)
		f.Close()
		if err != nil || resp.StatusCode != http.StatusNoContent {
			b.Fatalf("baseline PUT = %v", err)
		}
		resp.Body.Close()
		tBase += time.Since(start)

		runtime.ReadMemStats(&m0)
		start = time.Now()
		if err := c.Upload(context.Background(), up, path, func(int64, int64) {}); err != nil {
			b.Fatal(err)
		}
		tOurs += time.Since(start)
		runtime.ReadMemStats(&m1)
		alloc += m1.TotalAlloc - m0.TotalAlloc
	}
	b.ReportMetric(float64(tOurs)/float64(tBase), "x-baseline")
	b.ReportMetric(float64(alloc)/float64(uint64(b.N)*size), "alloc-bytes/file-byte")
	b.ReportMetric(float64(b.N)*size/(1<<20)/tOurs.Seconds(), "MiB/s")
}
