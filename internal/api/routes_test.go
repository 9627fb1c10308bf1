package api

import (
	"bufio"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// isolatedRoutes is the list of routes the end-to-end isolation test
// (internal/e2e/isolation_test.go) sends another tenant's token and bad
// tokens to; that test fails when a line of it has no case in its table.
const isolatedRoutes = "../e2e/testdata/isolated-routes.txt"

// TestEveryRouteIsInTheIsolationTable fails when a route is added to (or
// removed from) the API without the end-to-end isolation table naming it:
// a route nobody has shown to keep tenants apart is not served unnoticed.
func TestEveryRouteIsInTheIsolationTable(t *testing.T) {
	f, err := os.Open(isolatedRoutes)
	if err != nil {
		t.Fatalf("Open(%s) = %v", isolatedRoutes, err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			listed[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", isolatedRoutes, err)
	}
	for key := range routes {
		if !listed[key] {
			t.Errorf("route %q is not in %s: add it there and a case for it to the isolation table of internal/e2e/isolation_test.go", key, isolatedRoutes)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(listed)) {
		if _, ok := routes[key]; !ok {
			t.Errorf("%s names %q, which is not a route of the API", isolatedRoutes, key)
		}
	}
}
