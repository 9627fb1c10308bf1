package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxPayload is Lambda's synchronous payload limit.
const maxPayload = 6 << 20

// invocation is one event handed to a function process.
type invocation struct {
	RequestID     string
	Payload       []byte
	Timeout       time.Duration
	FunctionARN   string
	ClientContext string

	// picked receives the deadline when the runtime takes the event: as
	// in Lambda, the timeout runs from there, not from a cold start.
	picked chan time.Time
	done   chan outcome // buffered: the runtime API never blocks on it
}

// initTimeout is Lambda's limit for a runtime to start and ask for work.
const initTimeout = 10 * time.Second

// outcome is what a function answered: a payload, or an error payload whose
// errorType Step Functions' Retry and Catch match on.
type outcome struct {
	Payload   []byte
	ErrorType string // empty on success
}

func errorOutcome(errType, msg string) outcome {
	body, _ := json.Marshal(map[string]string{"errorType": errType, "errorMessage": msg})
	return outcome{Payload: body, ErrorType: errType}
}

// sandbox is one warm process of a function with its own Runtime API
// listener, so every request to that listener comes from that process. It
// runs one invocation at a time, like a Lambda execution environment.
type sandbox struct {
	fn     *function
	cmd    *exec.Cmd
	srv    *http.Server
	tmpDir string
	// token is the session token the process signs with, which tells the
	// edge which process sent a request (fault injection kills it).
	token string

	next   chan *invocation
	exited chan struct{} // closed when the process is gone
	failed chan string   // init error payload, at most one

	idleSince time.Time // guarded by functions.mu
	killOnce  sync.Once
	mu        sync.Mutex
	current   *invocation
	waitErr   error
}

type sandboxEnv struct {
	bootstrap string
	endpoint  string
	tmpDir    string
	log       io.Writer
}

func startSandbox(f *function, env sandboxEnv) (*sandbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api listener: %w", err)
	}
	s := &sandbox{
		fn:     f,
		tmpDir: env.tmpDir,
		token:  "sandbox-" + newRequestID(),
		next:   make(chan *invocation, 1),
		exited: make(chan struct{}),
		failed: make(chan string, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.serveResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.serveError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.serveInitError)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)

	if err := os.MkdirAll(env.tmpDir, 0o755); err != nil {
		s.srv.Close()
		return nil, fmt.Errorf("sandbox tmp dir: %w", err)
	}
	cmd := exec.Command(env.bootstrap)
	cmd.Dir = dirOf(env.bootstrap)
	cmd.Env = processEnv(f, ln.Addr().String(), s.token, env)
	cmd.Stdout = newLineWriter(env.log, f.Name)
	cmd.Stderr = newLineWriter(env.log, f.Name)
	// Its own process group, killed with the edge: a timeout kills the
	// whole tree and nothing outlives the local cloud.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		s.srv.Close()
		return nil, fmt.Errorf("start %s: %w", env.bootstrap, err)
	}
	s.cmd = cmd
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.waitErr = err
		s.mu.Unlock()
		close(s.exited)
	}()
	return s, nil
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i > 0 {
		return path[:i]
	}
	return "."
}

// processEnv is the environment Lambda gives a provided.* runtime, plus
// the function's configured variables and the local cloud's endpoint.
func processEnv(f *function, runtimeAPI, sessionToken string, env sandboxEnv) []string {
	vars := map[string]string{
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"HOME":                            env.tmpDir,
		"TMPDIR":                          env.tmpDir,
		"LAMBDA_TASK_ROOT":                dirOf(env.bootstrap),
		"LAMBDA_RUNTIME_DIR":              dirOf(env.bootstrap),
		"_HANDLER":                        "bootstrap",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_LAMBDA_FUNCTION_NAME":        f.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(int(f.MemoryMB)),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "localcloud/" + f.version(),
		"AWS_REGION":                      f.Region,
		"AWS_DEFAULT_REGION":              f.Region,
		// Its own key, so the edge can count what each function asks of AWS.
		"AWS_ACCESS_KEY_ID":     functionKeyPrefix + f.Name,
		"AWS_SECRET_ACCESS_KEY": "test",
		"AWS_SESSION_TOKEN":     sessionToken,
		"AWS_ENDPOINT_URL":      env.endpoint,
	}
	for k, v := range f.Env {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// run hands inv to the process and waits for its answer, its death or its
// deadline. healthy reports whether the process can take another event.
func (s *sandbox) run(inv *invocation) (out outcome, healthy bool) {
	s.next <- inv
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	var deadline time.Time
	select {
	case deadline = <-inv.picked:
	case msg := <-s.failed:
		return outcome{Payload: []byte(msg), ErrorType: errorTypeOf([]byte(msg), "Runtime.InitError")}, false
	case <-s.exited:
		return s.exitOutcome(inv), false
	case <-initTimer.C:
		s.kill()
		return errorOutcome("Runtime.Unknown", fmt.Sprintf("RequestId: %s Error: the runtime did not ask for an event within %s of starting", inv.RequestID, initTimeout)), false
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case out := <-inv.done:
		return out, true
	case msg := <-s.failed:
		return outcome{Payload: []byte(msg), ErrorType: errorTypeOf([]byte(msg), "Runtime.InitError")}, false
	case <-s.exited:
		return s.exitOutcome(inv), false
	case <-timer.C:
		s.kill()
		return errorOutcome("Sandbox.Timedout", fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.RequestID, inv.Timeout.Seconds())), false
	}
}

func (s *sandbox) exitOutcome(inv *invocation) outcome {
	// The process may have answered just before dying.
	select {
	case out := <-inv.done:
		return out
	default:
	}
	s.mu.Lock()
	werr := s.waitErr
	s.mu.Unlock()
	return errorOutcome("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", inv.RequestID, werr))
}

// kill stops the process group and the runtime listener and removes the
// sandbox's temp dir.
func (s *sandbox) kill() {
	s.killOnce.Do(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
		s.srv.Close()
		_ = os.RemoveAll(s.tmpDir)
	})
}
