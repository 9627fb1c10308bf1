package apiclient

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// call is one request the fake API received.
type call struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   string
}

// fakeAPI answers each "METHOD /path" with a status and body, as the
// contract says the API does, and records every request.
type fakeAPI struct {
	t       *testing.T
	mu      sync.Mutex
	calls   []call
	answers map[string]answer
}

type answer struct {
	status  int
	body    string
	headers map[string]string
}

func newFakeAPI(t *testing.T, answers map[string]answer) (*fakeAPI, *Client) {
	t.Helper()
	f := &fakeAPI{t: t, answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &Client{BaseURL: srv.URL + "/", Token: Static("id-token"), HTTP: srv.Client()}
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, call{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: string(body)})
	f.mu.Unlock()
	a, ok := f.answers[r.Method+" "+r.URL.EscapedPath()]
	if !ok {
		// API Gateway's answer to a route it does not have.
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
		return
	}
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (f *fakeAPI) last() call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		f.t.Fatal("the fake API received no request")
	}
	return f.calls[len(f.calls)-1]
}

func ok(body string) answer { return answer{status: http.StatusOK, body: body} }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
