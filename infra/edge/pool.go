package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"
)

// functions keeps warm sandboxes per deployed function version and runs
// invocations on them: an idle sandbox if there is one, else a new process,
// so concurrent invocations (a Map state) run in separate processes.
type functions struct {
	e    *edge
	code *codeStore
	log  io.Writer

	mu     sync.Mutex
	pools  map[string]*pool   // by function version
	live   map[*sandbox]*pool // every running process, also of retired versions
	closed bool
}

type pool struct {
	fn    *function
	slots chan struct{} // caps concurrent sandboxes
	idle  []*sandbox
}

func newFunctions(e *edge, log io.Writer) *functions {
	return &functions{
		e:     e,
		code:  newCodeStore(e, filepath.Join(e.cfg.StateDir, "code")),
		log:   log,
		pools: map[string]*pool{},
		live:  map[*sandbox]*pool{},
	}
}

// invoke runs one event on the function and returns its answer. Errors are
// failures of the local cloud itself (function unknown, code missing);
// failures of the function come back as an outcome with an ErrorType.
func (fs *functions) invoke(ctx context.Context, nameOrARN string, payload []byte, clientContext string) (outcome, *function, error) {
	f, err := fs.e.describe(ctx, nameOrARN)
	if err != nil {
		return outcome{}, nil, err
	}
	bootstrap, err := fs.code.bootstrap(ctx, f)
	if err != nil {
		return outcome{}, f, err
	}
	p, err := fs.pool(f)
	if err != nil {
		return outcome{}, f, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return outcome{}, f, ctx.Err()
	}
	defer func() { <-p.slots }()

	sb, err := fs.acquire(p, bootstrap)
	if err != nil {
		return outcome{}, f, err
	}
	inv := &invocation{
		RequestID:     newRequestID(),
		Payload:       payload,
		Timeout:       f.Timeout,
		FunctionARN:   f.ARN,
		ClientContext: clientContext,
		picked:        make(chan time.Time, 1),
		done:          make(chan outcome, 1),
	}
	start := time.Now()
	fmt.Fprintf(newLineWriter(fs.log, f.Name), "START RequestId: %s Version: $LATEST\n", inv.RequestID)
	out, healthy := sb.run(inv)
	fs.e.memory.observe(f, sb.peakRSS())
	fmt.Fprintf(newLineWriter(fs.log, f.Name), "END RequestId: %s\nREPORT RequestId: %s Duration: %.2f ms Status: %s\n",
		inv.RequestID, inv.RequestID, float64(time.Since(start).Microseconds())/1000, statusOf(out))
	fs.release(p, sb, healthy)
	return out, f, nil
}

func statusOf(o outcome) string {
	if o.ErrorType == "" {
		return "success"
	}
	return o.ErrorType
}

func (fs *functions) pool(f *function) (*pool, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.closed {
		return nil, errPoolClosed
	}
	v := f.version()
	if p, ok := fs.pools[v]; ok {
		return p, nil
	}
	// A redeployed function (new code, environment or timeout) retires the
	// processes of its older versions once they are idle.
	for key, old := range fs.pools {
		if old.fn.ARN == f.ARN {
			for _, sb := range old.idle {
				delete(fs.live, sb)
				go sb.kill()
			}
			old.idle = nil
			delete(fs.pools, key)
		}
	}
	max := fs.e.cfg.MaxPerFunction
	if max <= 0 {
		max = 32
	}
	p := &pool{fn: f, slots: make(chan struct{}, max)}
	fs.pools[v] = p
	return p, nil
}

func (fs *functions) acquire(p *pool, bootstrap string) (*sandbox, error) {
	fs.mu.Lock()
	if n := len(p.idle); n > 0 {
		sb := p.idle[n-1]
		p.idle = p.idle[:n-1]
		fs.mu.Unlock()
		return sb, nil
	}
	fs.mu.Unlock()
	sb, err := startSandbox(p.fn, sandboxEnv{
		bootstrap: bootstrap,
		endpoint:  fs.e.Endpoint(),
		tmpDir:    filepath.Join(fs.e.cfg.StateDir, "tmp", p.fn.Name+"-"+newRequestID()[:8]),
		log:       fs.log,
	})
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", p.fn.Name, err)
	}
	fs.mu.Lock()
	fs.live[sb] = p
	fs.mu.Unlock()
	return sb, nil
}

func (fs *functions) release(p *pool, sb *sandbox, healthy bool) {
	fs.mu.Lock()
	current := fs.pools[p.fn.version()] == p && !fs.closed
	if healthy && current {
		sb.idleSince = time.Now()
		p.idle = append(p.idle, sb)
		fs.mu.Unlock()
		return
	}
	delete(fs.live, sb)
	fs.mu.Unlock()
	sb.kill()
}

// reapIdle stops processes idle for longer than maxIdle, as Lambda
// retires execution environments: a burst of concurrency (a Map state)
// does not keep its processes forever.
func (fs *functions) reapIdle(maxIdle time.Duration) int {
	fs.mu.Lock()
	var stale []*sandbox
	for _, p := range fs.pools {
		keep := p.idle[:0]
		for _, sb := range p.idle {
			if time.Since(sb.idleSince) > maxIdle {
				stale = append(stale, sb)
				delete(fs.live, sb)
			} else {
				keep = append(keep, sb)
			}
		}
		p.idle = keep
	}
	fs.mu.Unlock()
	for _, sb := range stale {
		sb.kill()
	}
	return len(stale)
}

// Close kills every sandbox; invocations still running answer an exit error.
func (fs *functions) Close() {
	fs.mu.Lock()
	fs.closed = true
	var all []*sandbox
	for sb := range fs.live {
		all = append(all, sb)
	}
	fs.mu.Unlock()
	var wg sync.WaitGroup
	for _, sb := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sb.kill()
		}()
	}
	wg.Wait()
}

// Processes counts live sandboxes per function name, for tests and stats.
func (fs *functions) processes() map[string]int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]int{}
	for _, p := range fs.live {
		out[p.fn.Name]++
	}
	return out
}

var errPoolClosed = errors.New("edge is shutting down")

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
