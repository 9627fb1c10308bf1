package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// Requests forwarded to moto many at a time reuse the edge's connections
// to it, as a client of AWS reuses its own: moto's server pays a thread
// for each connection it accepts.
func TestForwardedRequestsReuseConnectionsToMoto(t *testing.T) {
	var opened atomic.Int64
	moto := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{}`)
	}))
	moto.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	moto.Start()
	defer moto.Close()
	e, err := newEdge(config{MotoURL: moto.URL, Region: "us-east-1", StateDir: t.TempDir()}, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	edge := httptest.NewServer(e)
	defer edge.Close()

	const clients, each = 16, 25
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				req, _ := http.NewRequest(http.MethodPost, edge.URL+"/", nil)
				req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if n := opened.Load(); n > clients {
		t.Errorf("%d requests from %d clients opened %d connections to moto, want at most %d", clients*each, clients, n, clients)
	}
}
