// Package cloudtest gives integration tests the local cloud: moto_server
// behind the project's edge, with template.yaml deployed (infra/localcloud).
//
//	func TestMain(m *testing.M) { cloudtest.Main(m) }
//
//	func TestImport(t *testing.T) {
//		cloud := cloudtest.Env(t)
//		s3c := s3.NewFromConfig(cloud.AWS, cloudtest.PathStyle)
//		bucket := cloud.Output(t, "BUCKET")
//		...
//	}
//
// Env uses the cloud described by .localcloud/env (found next to go.mod),
// or by the environment (AWS_ENDPOINT_URL and the stack outputs, as after
// `source .localcloud/env` or against LocalStack). Under Main it holds a
// lease on the local cloud (`infra/localcloud up --lease`), starting it if
// none answers; a cloud started that way stops when the last test binary
// holding a lease is done, one started by hand stays up. With CI=true a
// cloud that cannot start fails the test; elsewhere the test is skipped
// with the reason.
//
// Request counts: cloud.Counted(t) gives clients whose requests are counted
// apart (test binaries share one edge); cloud.FunctionStats(t,
// "ApplyFunction") reads what a deployed function asked of AWS.
package cloudtest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Cloud is a running local cloud with the stack deployed.
type Cloud struct {
	// Endpoint is the URL every AWS client uses (AWS_ENDPOINT_URL).
	Endpoint string
	Region   string
	// Vars holds what .localcloud/env exports: the stack outputs as BUCKET,
	// TABLE, STATE_MACHINE_ARN, QUEUE_URL, ... and their long names
	// (BUCKET_NAME, TABLE_NAME, INTAKE_QUEUE_URL, ...).
	Vars map[string]string
	// AWS is an SDK configuration for the endpoint with dummy credentials.
	AWS aws.Config
	// edge is false when the endpoint is not the project's edge (LocalStack).
	edge bool
}

// PathStyle makes an S3 client address buckets in the path, which every
// emulator understands: s3.NewFromConfig(cloud.AWS, cloudtest.PathStyle).
func PathStyle(o *s3.Options) { o.UsePathStyle = true }

// Output returns a stack output or other exported variable, failing the
// test if the stack does not have it.
func (c Cloud) Output(t testing.TB, name string) string {
	t.Helper()
	v, ok := c.Vars[name]
	if !ok || v == "" {
		t.Fatalf("local cloud: no %s among the stack outputs (have %s)", name, strings.Join(c.names(), ", "))
	}
	return v
}

func (c Cloud) names() []string {
	out := make([]string, 0, len(c.Vars))
	for k := range c.Vars {
		out = append(out, k)
	}
	return out
}

var (
	mu       sync.Mutex
	cached   *Cloud
	started  bool // this binary holds a lease on a cloud it asked for
	inMain   bool
	startErr error
	tried    bool
)

// Main runs the tests and releases the local cloud if this binary asked
// for it. Call it from TestMain.
//
// Each of after runs once the tests have passed, if they used the project's
// edge, with the cloud they used: a check over what the whole run did (the
// actions each function needed); its error fails the run.
func Main(m *testing.M, after ...func(Cloud) error) {
	os.Exit(run(m, after))
}

func run(m *testing.M, after []func(Cloud) error) int {
	mu.Lock()
	inMain = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	used := cached
	mu.Unlock()
	if code == 0 && used != nil && used.edge {
		for _, check := range after {
			if err := check(*used); err != nil {
				fmt.Fprintln(os.Stderr, "FAIL:", err)
				code = 1
			}
		}
	}
	if err := release(); err != nil {
		fmt.Fprintln(os.Stderr, "cloudtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Env returns the local cloud, starting it if needed.
func Env(t testing.TB) Cloud {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs the local cloud; skipped with -short")
	}
	c, err := env()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("local cloud: %v", err)
		}
		t.Skipf("local cloud not available (set CI=true to make this a failure): %v", err)
	}
	return *c
}

func env() (*Cloud, error) {
	mu.Lock()
	defer mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	if tried {
		return nil, startErr
	}
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	c, fromStateDir := existing(root)
	if c != nil && (!inMain || !fromStateDir) {
		cached = c
		return c, nil
	}
	tried = true
	// Under Main, a local cloud is always used through a lease, also one
	// that is already up: another test binary may have started it and
	// would otherwise stop it when it is done.
	if !inMain {
		startErr = fmt.Errorf("no local cloud is up and this package's TestMain does not call cloudtest.Main, which would stop one it starts; run `infra/localcloud up` or add TestMain")
		return nil, startErr
	}
	if err := up(root); err != nil {
		startErr = err
		return nil, err
	}
	started = true
	c, fromStateDir = existing(root)
	if c == nil || !fromStateDir {
		startErr = fmt.Errorf("infra/localcloud up succeeded but %s does not answer", filepath.Join(stateDir(root), "env"))
		return nil, startErr
	}
	cached = c
	return c, nil
}

// existing finds a cloud that answers: the one .localcloud/env describes
// (fromStateDir), else one the process environment names.
func existing(root string) (c *Cloud, fromStateDir bool) {
	if vars, err := readEnvFile(filepath.Join(stateDir(root), "env")); err == nil {
		if c := newCloud(vars); c != nil && c.answers() {
			return c, true
		}
	}
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if c := newCloud(vars); c != nil && c.answers() {
		return c, false
	}
	return nil, false
}

func newCloud(vars map[string]string) *Cloud {
	endpoint := vars["AWS_ENDPOINT_URL"]
	if endpoint == "" {
		return nil
	}
	region := vars["AWS_REGION"]
	if region == "" {
		region = "us-east-1"
	}
	return &Cloud{
		Endpoint: endpoint,
		Region:   region,
		Vars:     vars,
		edge:     vars["LOCALCLOUD_ENDPOINT"] != "",
		AWS: aws.Config{
			Region:       region,
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
			BaseEndpoint: aws.String(endpoint),
		},
	}
}

// answers checks the edge's health, or that a foreign endpoint (LocalStack)
// answers HTTP at all.
func (c *Cloud) answers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	u := c.Endpoint
	if c.edge {
		u = strings.TrimRight(u, "/") + "/_edge/health"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return !c.edge || resp.StatusCode == http.StatusOK
}

func up(root string) error {
	cmd := exec.Command(filepath.Join(root, "infra", "localcloud"), "up", "--lease", strconv.Itoa(os.Getpid()))
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("infra/localcloud up: %v\n%s", err, tail(out.String(), 40))
	}
	return nil
}

func release() error {
	mu.Lock()
	defer mu.Unlock()
	if !started {
		return nil
	}
	started = false
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(root, "infra", "localcloud"), "release", strconv.Itoa(os.Getpid()))
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("infra/localcloud release: %v\n%s", err, out)
	}
	return nil
}

func stateDir(root string) string {
	if d := os.Getenv("LOCALCLOUD_DIR"); d != "" {
		return d
	}
	return filepath.Join(root, ".localcloud")
}

// moduleRoot walks up from the test's directory to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// readEnvFile reads the `export NAME='value'` lines infra/localcloud writes.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export "))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		vars[k] = unquote(v)
	}
	return vars, sc.Err()
}

// unquote undoes shell single quoting, including the '\” idiom.
func unquote(v string) string {
	if !strings.HasPrefix(v, "'") {
		return strings.Trim(v, `"`)
	}
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\'':
			inQuote = !inQuote
		case c == '\\' && !inQuote && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func tail(s string, lines int) string {
	parts := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}
