package crm_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The domain imports no AWS SDK and no Lambda package, and the step
// handlers know the adapters only through the ports: adapters are wired in
// internal/stack and functions/.
func TestLayering(t *testing.T) {
	const module = "github.com/crmimport/crm-import/internal/"
	domain := []string{"crm", "restore", "apply", "plan", "match", "check", "config", "sheet", "value", "schema", "mapping", "assign", "outcome", "template"}
	adapters := []string{"bucket", "dynamo", "export", "workflow", "notify", "stack"}
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"steps", prefixed(module, adapters)},
	}
	for _, p := range domain {
		tests = append(tests, struct {
			pkg       string
			forbidden []string
		}{p, append([]string{"github.com/aws/"}, prefixed(module, append(adapters, "steps", "lambdafn"))...)})
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", module+tt.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", tt.pkg, err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range tt.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
						t.Errorf("internal/%s depends on %s", tt.pkg, dep)
					}
				}
			}
		})
	}
}

func prefixed(prefix string, names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, prefix+n)
	}
	return out
}
