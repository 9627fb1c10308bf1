package cloudtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadEnvFileUndoesShellQuoting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	content := "export AWS_ENDPOINT_URL='http://127.0.0.1:4566'\n" +
		"# a comment\n\n" +
		"export NOTE='it'\\''s quoted'\n" +
		"PLAIN=value\n" +
		"export DOUBLE=\"dq\"\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readEnvFile(path)
	if err != nil {
		t.Fatalf("readEnvFile: %v", err)
	}
	want := map[string]string{
		"AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
		"NOTE":             "it's quoted",
		"PLAIN":            "value",
		"DOUBLE":           "dq",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("readEnvFile()[%s] = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("readEnvFile() = %v, want %d variables", got, len(want))
	}
}

func TestNewCloudNeedsAnEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		vars     map[string]string
		wantNil  bool
		wantEdge bool
		wantReg  string
	}{
		{"no endpoint", map[string]string{"BUCKET": "b"}, true, false, ""},
		{"local cloud", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "LOCALCLOUD_ENDPOINT": "http://127.0.0.1:4566", "AWS_REGION": "eu-west-1"}, false, true, "eu-west-1"},
		{"localstack", map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566"}, false, false, "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCloud(tt.vars)
			if (c == nil) != tt.wantNil {
				t.Fatalf("newCloud(%v) = %v, want nil %v", tt.vars, c, tt.wantNil)
			}
			if c == nil {
				return
			}
			if c.edge != tt.wantEdge || c.Region != tt.wantReg || c.AWS.Region != tt.wantReg {
				t.Errorf("newCloud(%v) edge %v region %q, want edge %v region %q", tt.vars, c.edge, c.Region, tt.wantEdge, tt.wantReg)
			}
		})
	}
}
