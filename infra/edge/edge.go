package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

type config struct {
	Listen         string
	MotoURL        string
	Region         string
	StateDir       string
	CodeBucket     string
	MaxPerFunction int
	ESMInterval    time.Duration
	MaxIdle        time.Duration
	// SecretKey is the secret access key of every local credential (the
	// stack and its functions sign with "test"): the edge checks presigned
	// POST forms with it (presignpost.go).
	SecretKey string
}

// edge is the HTTP handler of the local cloud's single endpoint.
type edge struct {
	cfg     config
	logger  *slog.Logger
	proxy   *httputil.ReverseProxy
	stats   *stats
	actions *actions
	memory  *memory
	faults  *faults

	// Clients talk to moto directly, so the edge's own calls are neither
	// counted nor routed back through itself.
	lambda *lambda.Client
	s3     *s3.Client
	sqs    *sqs.Client
	apigw  *apigatewayv2.Client

	functions *functions
	mappings  *mappings

	mu       sync.Mutex
	endpoint string
}

func newEdge(cfg config, logger *slog.Logger, functionLog io.Writer) (*edge, error) {
	target, err := url.Parse(cfg.MotoURL)
	if err != nil {
		return nil, fmt.Errorf("parse moto url %q: %w", cfg.MotoURL, err)
	}
	awsCfg := aws.Config{
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(cfg.MotoURL),
	}
	e := &edge{
		cfg:     cfg,
		logger:  logger,
		stats:   newStats(),
		actions: newActions(),
		memory:  newMemory(),
		faults:  &faults{},
		proxy: &httputil.ReverseProxy{
			Transport: motoTransport(),
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(target)
				// moto builds URLs it returns (SQS queue URLs, ...) from the
				// Host header: keep the edge's, so clients keep coming here.
				r.Out.Host = r.In.Host
			},
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				logger.Error("forward to moto", "method", r.Method, "path", r.URL.Path, "err", err)
				http.Error(w, "moto unreachable: "+err.Error(), http.StatusBadGateway)
			},
		},
		lambda: lambda.NewFromConfig(awsCfg),
		s3:     s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs:    sqs.NewFromConfig(awsCfg),
		apigw:  apigatewayv2.NewFromConfig(awsCfg),
	}
	e.functions = newFunctions(e, functionLog)
	e.mappings = newMappings(e)
	return e, nil
}

// motoTransport carries the requests the edge forwards to moto. Go's
// default keeps two idle connections per host: with more requests at once
// (four users' apply steps, their previews, the state machine's tasks),
// every other request opened a connection, and moto's server starts a
// thread for each one it accepts, a cost per request AWS's endpoints do
// not have. As many idle connections are kept as there can be requests
// in flight.
func motoTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	return t
}

// SetEndpoint records the URL functions use to reach AWS (the edge itself).
func (e *edge) SetEndpoint(u string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endpoint = u
}

func (e *edge) Endpoint() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.endpoint
}

// ReapIdle stops idle function processes until ctx ends.
func (e *edge) ReapIdle(ctx context.Context) {
	if e.cfg.MaxIdle <= 0 {
		return
	}
	tick := time.NewTicker(min(e.cfg.MaxIdle/2, 30*time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if n := e.functions.reapIdle(e.cfg.MaxIdle); n > 0 {
				e.logger.Info("stopped idle function processes", "count", n)
			}
		}
	}
}

// Close stops every function process.
func (e *edge) Close() {
	e.functions.Close()
}

func (e *edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_edge/") {
		e.serveAdmin(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, httpAPIPrefix) {
		e.serveHTTPAPI(w, r)
		return
	}
	svc, op := classify(r)
	key := accessKeyOf(r)
	e.stats.add(key, svc, op)
	e.actions.add(r, key, svc, op)
	if name, ok := invokePath(r); ok {
		e.serveInvoke(w, r, name)
		return
	}
	if e.injectFault(w, r, key, svc, op) {
		return
	}
	if isPresignedPost(r) {
		e.servePresignedPost(w, r)
		return
	}
	began := time.Now()
	e.proxy.ServeHTTP(w, r)
	e.stats.took(key, svc, op, time.Since(began))
}

func (e *edge) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_edge/health" && r.Method == http.MethodGet:
		e.serveHealth(w, r)
	case r.URL.Path == "/_edge/stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.stats.snapshot(filterOf(r)))
	case r.URL.Path == "/_edge/stats/seconds" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.stats.seconds(filterOf(r)))
	case r.URL.Path == "/_edge/stats/reset" && r.Method == http.MethodPost:
		e.stats.reset(filterOf(r))
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_edge/actions" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.actions.snapshot())
	case r.URL.Path == "/_edge/memory" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.memory.snapshot(r.URL.Query().Get("function")))
	case r.URL.Path == "/_edge/memory/reset" && r.Method == http.MethodPost:
		e.memory.reset(r.URL.Query().Get("function"))
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_edge/faults":
		e.serveFaults(w, r)
	case r.URL.Path == "/_edge/functions" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.functions.processes())
	case r.URL.Path == "/_edge/esm" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, e.mappings.snapshot())
	case r.URL.Path == "/_edge/esm/sync" && r.Method == http.MethodPost:
		if err := e.mappings.sync(r.Context()); err != nil {
			writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, e.mappings.snapshot())
	default:
		http.NotFound(w, r)
	}
}

func (e *edge) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.cfg.MotoURL+"/moto-api/config", nil)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "error", "error": err.Error()})
		return
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "moto unreachable", "error": err.Error()})
		return
	}
	defer resp.Body.Close()
	var motoCfg json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&motoCfg); err != nil || resp.StatusCode/100 != 2 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "moto unhealthy", "code": resp.StatusCode})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "moto": e.cfg.MotoURL, "motoConfig": motoCfg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
