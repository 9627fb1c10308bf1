package cloudtest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHelperEnv is run by TestEnvWhenTheCloudCannotStart in a child
// process; on its own it does nothing.
func TestHelperEnv(t *testing.T) {
	if os.Getenv("CLOUDTEST_HELPER") == "" {
		return
	}
	Env(t)
	t.Log("got a cloud")
}

func TestEnvWhenTheCloudCannotStart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs infra/localcloud; skipped with -short")
	}
	// A port already taken makes infra/localcloud up fail at once.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)

	tests := []struct {
		name string
		ci   string
		want string
	}{
		{"fails under CI", "true", "--- FAIL: TestHelperEnv"},
		{"skips elsewhere", "", "--- SKIP: TestHelperEnv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEnv$", "-test.v")
			cmd.Env = append(cleanEnv(),
				"CLOUDTEST_HELPER=1",
				"CI="+tt.ci,
				"LOCALCLOUD_DIR="+filepath.Join(t.TempDir(), "state"),
				"LOCALCLOUD_PORT="+port,
				"LOCALCLOUD_MOTO_PORT="+port,
			)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("Env with CI=%q and no cloud: output\n%s\nwant %q", tt.ci, out.String(), tt.want)
			}
			if failed := err != nil; failed != (tt.ci == "true") {
				t.Errorf("test binary failed = %v (%v), want %v", failed, err, tt.ci == "true")
			}
		})
	}
}

// cleanEnv is the environment without any cloud in it.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") || strings.HasPrefix(kv, "LOCALCLOUD_") || strings.HasPrefix(kv, "CI=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
