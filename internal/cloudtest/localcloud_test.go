package cloudtest

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// scriptCloud runs infra/localcloud on free ports and its own state
// directory, with the local cloud's own test stack (infra/testdata), so it
// never touches a cloud other tests use.
type scriptCloud struct {
	root, dir string
	env       []string
}

func newScriptCloud(t *testing.T) *scriptCloud {
	t.Helper()
	if testing.Short() {
		t.Skip("starts moto_server; skipped with -short")
	}
	if _, err := exec.LookPath("moto_server"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("moto_server is not installed")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	build := filepath.Join(dir, "build")
	return &scriptCloud{root: root, dir: dir, env: append(os.Environ(),
		"LOCALCLOUD_DIR="+filepath.Join(dir, "state"),
		"LOCALCLOUD_PORT="+strconv.Itoa(freePort(t)),
		"LOCALCLOUD_MOTO_PORT="+strconv.Itoa(freePort(t)),
		"LOCALCLOUD_TEMPLATE="+filepath.Join(root, "infra", "testdata", "template.yaml"),
		"LOCALCLOUD_STACK=echo",
		"LOCALCLOUD_BUILD_DIR="+build,
		"LOCALCLOUD_BUILD=CGO_ENABLED=0 go build -o "+filepath.Join(build, "EchoFunction", "bootstrap")+" ./infra/testdata/echo",
	)}
}

func (s *scriptCloud) run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(s.root, "infra", "localcloud"), args...)
	cmd.Dir = s.root
	cmd.Env = s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("localcloud %v: %v", args, err)
	}
	return out.String(), code
}

func (s *scriptCloud) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, code := s.run(t, args...)
	if code != 0 {
		t.Fatalf("localcloud %v exited %d:\n%s", args, code, out)
	}
	return out
}

func (s *scriptCloud) pids(t *testing.T) []int {
	t.Helper()
	var pids []int
	for _, name := range []string{"moto.pid", "edge.pid"} {
		b, err := os.ReadFile(filepath.Join(s.dir, "state", name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// leftovers lists processes started from the state dir (edge, functions)
// or listening on its moto port.
func (s *scriptCloud) leftovers(t *testing.T) string {
	t.Helper()
	var motoPort string
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "LOCALCLOUD_MOTO_PORT="); ok {
			motoPort = v
		}
	}
	var found []string
	for _, pattern := range []string{s.dir, "moto_server.*-p " + motoPort + "$"} {
		out, _ := exec.Command("pgrep", "-af", pattern).Output()
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line != "" && !strings.Contains(line, "pgrep") {
				found = append(found, line)
			}
		}
	}
	return strings.Join(found, "\n")
}

func TestLocalcloudUpThenDownLeavesNoProcess(t *testing.T) {
	s := newScriptCloud(t)
	t.Cleanup(func() { s.run(t, "down") })

	s.mustRun(t, "up")
	first := s.pids(t)
	if _, code := s.run(t, "status"); code != 0 {
		t.Errorf("status after up exited %d, want 0", code)
	}
	out := s.mustRun(t, "up")
	if !strings.Contains(out, "already up") {
		t.Errorf("second up said %q, want it to find the running cloud", out)
	}
	if again := s.pids(t); again[0] != first[0] || again[1] != first[1] {
		t.Errorf("second up pids = %v, want the first pair %v", again, first)
	}

	// The deployed stack works end to end: an upload under incoming/
	// reaches the function through S3 -> SQS -> the edge's mapping.
	vars, err := readEnvFile(filepath.Join(s.dir, "state", "env"))
	if err != nil {
		t.Fatalf("read env: %v", err)
	}
	cloud := newCloud(vars)
	if cloud == nil || !cloud.answers() {
		t.Fatalf("the env file's cloud does not answer: %v", vars)
	}
	counted, counter := cloud.Counted(t)
	ctx := context.Background()
	if _, err := s3.NewFromConfig(counted.AWS, PathStyle).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(cloud.Output(t, "BUCKET")), Key: aws.String("incoming/t1/a.csv"), Body: strings.NewReader("a,b\n"),
	}); err != nil {
		t.Fatalf("put object: %v", err)
	}
	if n := counter.Stats(t).Count("s3", "PutObject"); n != 1 {
		t.Errorf("counted PutObject = %d, want 1", n)
	}
	waitForItems(t, dynamodb.NewFromConfig(cloud.AWS), cloud.Output(t, "TABLE"), 2) // the S3 test event and the upload

	// A function process is running now; down must take it too.
	s.mustRun(t, "down")
	for _, pid := range first {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d still runs after down", pid)
		}
	}
	if left := s.leftovers(t); left != "" {
		t.Errorf("processes left after down:\n%s", left)
	}
	if _, code := s.run(t, "status"); code != 3 {
		t.Errorf("status after down exited %d, want 3", code)
	}
}

func TestLocalcloudStopsWithTheLastLease(t *testing.T) {
	s := newScriptCloud(t)
	t.Cleanup(func() { s.run(t, "down") })
	other := exec.Command("sleep", "300")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	me, them := strconv.Itoa(os.Getpid()), strconv.Itoa(other.Process.Pid)

	s.mustRun(t, "up", "--lease", me)
	s.mustRun(t, "up", "--lease", them)
	s.mustRun(t, "release", me)
	if _, code := s.run(t, "status"); code != 0 {
		t.Fatalf("status after releasing one of two leases exited %d, want 0 (still up)", code)
	}
	// A lease whose process is gone does not keep the cloud up.
	other.Process.Kill()
	other.Wait()
	s.mustRun(t, "up", "--lease", me)
	s.mustRun(t, "release", me)
	if _, code := s.run(t, "status"); code != 3 {
		t.Errorf("status after the last live lease was released exited %d, want 3 (down)", code)
	}
	if left := s.leftovers(t); left != "" {
		t.Errorf("processes left after the last release:\n%s", left)
	}
}

func waitForItems(t *testing.T, db *dynamodb.Client, table string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		if len(out.Items) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("table %s has %d items after 30s, want %d", table, len(out.Items), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
