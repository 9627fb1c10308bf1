package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// stats counts requests by service and operation, so tests can assert how
// an adapter talks to AWS ("one Query per user, not one GetItem per row"),
// and adds up how long the local cloud took to answer them, so a benchmark
// can say where an import's time went (which calls, of which function).
//
// Counts are also kept per access key id: test binaries share one edge, so
// a test that signs with its own key reads only its own requests, and each
// function signs with a key naming it.
type stats struct {
	mu      sync.Mutex
	counts  map[statKey]int
	elapsed map[statKey]time.Duration
}

type statKey struct{ accessKey, service, op string }

func newStats() *stats {
	return &stats{counts: map[statKey]int{}, elapsed: map[statKey]time.Duration{}}
}

func (s *stats) add(accessKey, service, op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[statKey{accessKey, service, op}]++
}

// took adds d, the time one request took to be answered, to its operation.
func (s *stats) took(accessKey, service, op string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.elapsed[statKey{accessKey, service, op}] += d
}

// functionKeyPrefix starts the access key id each function signs with.
const functionKeyPrefix = "fn-"

// statsFilter selects counts: of one access key, or of the functions whose
// name contains a string (a CloudFormation logical id such as
// "ApplyFunction" is part of the deployed name). Empty selects all.
type statsFilter struct{ accessKey, function string }

func (f statsFilter) match(k statKey) bool {
	switch {
	case f.accessKey != "":
		return k.accessKey == f.accessKey
	case f.function != "":
		name, ok := strings.CutPrefix(k.accessKey, functionKeyPrefix)
		return ok && strings.Contains(name, f.function)
	}
	return true
}

func filterOf(r *http.Request) statsFilter {
	q := r.URL.Query()
	return statsFilter{accessKey: q.Get("accessKey"), function: q.Get("function")}
}

// snapshot sums the selected counts by service and operation.
func (s *stats) snapshot(f statsFilter) map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]int{}
	for k, n := range s.counts {
		if !f.match(k) {
			continue
		}
		if out[k.service] == nil {
			out[k.service] = map[string]int{}
		}
		out[k.service][k.op] += n
	}
	return out
}

// seconds sums the selected answer times, in seconds, by service and
// operation. Requests answered at once overlap, so the sum can exceed the
// time that passed.
func (s *stats) seconds(f statsFilter) map[string]map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[string]float64{}
	for k, d := range s.elapsed {
		if !f.match(k) {
			continue
		}
		if out[k.service] == nil {
			out[k.service] = map[string]float64{}
		}
		out[k.service][k.op] += d.Seconds()
	}
	return out
}

func (s *stats) reset(f statsFilter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.counts {
		if f.match(k) {
			delete(s.counts, k)
		}
	}
	for k := range s.elapsed {
		if f.match(k) {
			delete(s.elapsed, k)
		}
	}
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/[^/]+/[^/]+/([^/]+)/`)

// accessKeyOf reads the access key id a request was signed with.
func accessKeyOf(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return ""
}

// classify names the service and operation of an AWS API request: the
// service from the SigV4 credential scope, the operation from X-Amz-Target
// (JSON protocols), the Action parameter (query protocols) or the REST path.
func classify(r *http.Request) (service, op string) {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[2]
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			target = target[i+1:]
		}
		return orUnknown(service), target
	}
	if action := r.URL.Query().Get("Action"); action != "" {
		return orUnknown(service), action
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if action := formAction(r); action != "" {
			return orUnknown(service), action
		}
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/") || strings.HasPrefix(r.URL.Path, "/2017-03-31/"):
		return "lambda", lambdaOperation(r)
	case service == "s3" || service == "":
		return "s3", s3Operation(r)
	}
	return service, r.Method + " " + r.URL.Path
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// formAction reads the Action of a query-protocol request and puts the
// body back for the proxy.
func formAction(r *http.Request) string {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return values.Get("Action")
}

func lambdaOperation(r *http.Request) string {
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(p) == 4 && p[1] == "functions" && p[3] == "invocations":
		return "Invoke"
	case len(p) == 2 && p[1] == "functions":
		if r.Method == http.MethodPost {
			return "CreateFunction"
		}
		return "ListFunctions"
	case len(p) == 3 && p[1] == "functions":
		switch r.Method {
		case http.MethodGet:
			return "GetFunction"
		case http.MethodDelete:
			return "DeleteFunction"
		}
	case len(p) == 4 && p[1] == "functions" && p[3] == "configuration":
		if r.Method == http.MethodGet {
			return "GetFunctionConfiguration"
		}
		return "UpdateFunctionConfiguration"
	case len(p) == 4 && p[1] == "functions" && p[3] == "code":
		return "UpdateFunctionCode"
	case len(p) == 2 && p[1] == "event-source-mappings":
		if r.Method == http.MethodPost {
			return "CreateEventSourceMapping"
		}
		return "ListEventSourceMappings"
	case len(p) == 3 && p[1] == "event-source-mappings":
		switch r.Method {
		case http.MethodGet:
			return "GetEventSourceMapping"
		case http.MethodPut:
			return "UpdateEventSourceMapping"
		case http.MethodDelete:
			return "DeleteEventSourceMapping"
		}
	}
	return r.Method + " " + r.URL.Path
}

// s3Operation names the common S3 operations from a path-style request.
func s3Operation(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	if bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets"
		}
		return r.Method + " /"
	}
	if key != "" {
		switch r.Method {
		case http.MethodGet:
			return "GetObject"
		case http.MethodHead:
			return "HeadObject"
		case http.MethodPut:
			switch {
			case q.Has("partNumber"):
				return "UploadPart"
			case r.Header.Get("X-Amz-Copy-Source") != "":
				return "CopyObject"
			case q.Has("tagging"):
				return "PutObjectTagging"
			}
			return "PutObject"
		case http.MethodDelete:
			if q.Has("uploadId") {
				return "AbortMultipartUpload"
			}
			return "DeleteObject"
		case http.MethodPost:
			if q.Has("uploads") {
				return "CreateMultipartUpload"
			}
			if q.Has("uploadId") {
				return "CompleteMultipartUpload"
			}
		}
		return r.Method + " object"
	}
	switch r.Method {
	case http.MethodGet:
		switch {
		case q.Get("list-type") == "2":
			return "ListObjectsV2"
		case q.Has("versions"):
			return "ListObjectVersions"
		case q.Has("notification"):
			return "GetBucketNotificationConfiguration"
		case q.Has("location"):
			return "GetBucketLocation"
		case len(q) == 0:
			return "ListObjects"
		}
		return "GetBucket" + subresource(q)
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodPut:
		if len(q) == 0 {
			return "CreateBucket"
		}
		if q.Has("notification") {
			return "PutBucketNotificationConfiguration"
		}
		return "PutBucket" + subresource(q)
	case http.MethodDelete:
		if len(q) == 0 {
			return "DeleteBucket"
		}
		return "DeleteBucket" + subresource(q)
	case http.MethodPost:
		if q.Has("delete") {
			return "DeleteObjects"
		}
	}
	return r.Method + " bucket"
}

func subresource(q url.Values) string {
	for k := range q {
		if k != "" {
			return strings.ToUpper(k[:1]) + k[1:]
		}
	}
	return ""
}
