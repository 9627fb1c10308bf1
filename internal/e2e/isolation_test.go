package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// isolatedRoutes lists every route of the API, one route key a line
// (internal/api's TestEveryRouteIsInTheIsolationTable keeps it equal to
// the API's routes): the table below must have a case for each.
const isolatedRoutes = "testdata/isolated-routes.txt"

// isolationCase is what one route answers tenant A's token on tenant B's
// import, configuration and decisions.
type isolationCase struct {
	query string // added to the path
	body  any    // the JSON body; nil: none
	want  int
	// list, for a list route: the field of the answer that is empty for A.
	list string
	// message, when not empty: words A's answer says.
	message string
}

// isolation is the table: a case per route of isolated-routes.txt.
var isolation = map[string]isolationCase{
	"GET /imports":                 {want: http.StatusOK, list: "imports"},
	"GET /imports/{id}":            {want: http.StatusNotFound},
	"GET /imports/{id}/report":     {want: http.StatusNotFound},
	"GET /imports/{id}/summary":    {want: http.StatusNotFound},
	"GET /imports/{id}/duplicates": {want: http.StatusNotFound},
	"GET /imports/{id}/errors":     {want: http.StatusNotFound},
	"GET /imports/{id}/users":      {want: http.StatusNotFound},
	"GET /imports/{id}/preview":    {query: "?user=" + anna.ID, want: http.StatusNotFound},
	"GET /imports/{id}/results":    {want: http.StatusNotFound},
	"POST /imports/{id}/selection": {body: map[string]any{"exclude": []string{anna.ID}}, want: http.StatusNotFound},
	"POST /imports/{id}/decision":  {body: map[string]any{"decision": "import-all"}, want: http.StatusNotFound},
	"POST /imports/{id}/resume":    {body: map[string]any{"action": "stop"}, want: http.StatusNotFound},
	"POST /imports/{id}/undo":      {body: map[string]any{"confirm": true, "force": true}, want: http.StatusNotFound},
	// Creating an import under B's saved configuration: A has none of
	// that name, and is told so as of any missing one.
	"POST /imports": {
		body: map[string]any{"entity": "customers", "config": isolatedConfig, "fileName": "theirs.csv", "size": 10},
		want: http.StatusBadRequest, message: `there is no saved configuration "` + isolatedConfig + `"`,
	},
	"GET /configs":             {want: http.StatusOK, list: "configs"},
	"GET /configs/{name}":      {want: http.StatusNotFound},
	"GET /configs/{name}/file": {want: http.StatusNotFound},
	"DELETE /configs/{name}":   {want: http.StatusNotFound},
	// A's administrator saving a configuration of the name B uses saves
	// A's own: B's is untouched (checked below). It runs last (the file's
	// order), after A's reads have found no configuration.
	"PUT /configs/{name}": {body: json.RawMessage(overwriteName), want: http.StatusOK},
	// Templates are the same for every tenant: nothing of B's in them.
	"GET /templates/{entity}": {query: "?lang=de", want: http.StatusOK},
	// B's restore point (taken after its split) is not among A's.
	"GET /restore-points": {want: http.StatusOK, list: "restorePoints"},
}

// isolatedConfig is the name of tenant B's saved configuration.
const isolatedConfig = "b-settings"

// routesToIsolate reads isolated-routes.txt in its order.
func routesToIsolate(t *testing.T) []string {
	t.Helper()
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(string(readFile(t, "internal/e2e/"+isolatedRoutes))))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			keys = append(keys, line)
		}
	}
	return keys
}

// TestEveryRouteKeepsTenantsApart sends every route of the API tenant A's
// administrator's token on tenant B's waiting import and saved
// configuration: each answers 404 as for a missing one (an empty list for
// a list route), and B's job and configuration are as before; then no
// token, an expired token and a forged signature on each route answer
// 401 before the function is reached.
func TestEveryRouteKeepsTenantsApart(t *testing.T) {
	t.Parallel()
	start := time.Now()
	st := newStack(t)
	ctx := context.Background()
	tnA, tnB := newTenant(t), newTenant(t)
	st.addUser(t, tnB, anna)
	st.addUser(t, tnB, bo)
	st.saveConfig(t, tnB, isolatedConfig, keepName)
	a, b := newWizard(t, st, tnA), newWizard(t, st, tnB)
	id := b.startAttended(t, "agents.csv", []byte("Customer number,Name,Agent email\nI-1,One,"+anna.Email+"\nI-2,Two,"+bo.Email+"\n"), isolatedConfig)
	b.waitFor(t, id, crm.ForSelection, "")
	before, err := st.jobs.Get(ctx, tnB, id)
	if err != nil {
		t.Fatalf("Get(B's job) = %v", err)
	}

	keys := routesToIsolate(t)
	for key := range isolation {
		if !slices.Contains(keys, key) {
			t.Errorf("the isolation table has a case for %s, which %s does not list", key, isolatedRoutes)
		}
	}
	url := func(key, query string) (string, string) {
		method, path, _ := strings.Cut(key, " ")
		path = strings.NewReplacer("{id}", id, "{name}", isolatedConfig, "{entity}", "customers").Replace(path)
		return method, a.api + path + query
	}
	for _, key := range keys {
		tt, ok := isolation[key]
		if !ok {
			t.Errorf("route %s of %s has no case in the isolation table", key, isolatedRoutes)
			continue
		}
		t.Run("A on B's: "+key, func(t *testing.T) {
			method, u := url(key, tt.query)
			var answer map[string]any
			out := any(&answer)
			if key == "GET /templates/{entity}" {
				out = nil // a workbook, not JSON
			}
			code := sendJSON(t, method, u, a.token, tt.body, out)
			if code != tt.want {
				t.Fatalf("%s with tenant A's token = %d %v, want %d", key, code, answer, tt.want)
			}
			if tt.want == http.StatusNotFound && answer["code"] != string(crm.NotFound) {
				t.Errorf("%s with tenant A's token = %v, want code not_found", key, answer)
			}
			if tt.list != "" {
				if l, ok := answer[tt.list].([]any); !ok || len(l) != 0 {
					t.Errorf("%s with tenant A's token = %v, want an empty %s list", key, answer, tt.list)
				}
			}
			if msg, _ := answer["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("%s with tenant A's token = %v, want a message saying %q", key, answer, tt.message)
			}
		})
	}

	claimsB := claimsOf(t, b.token)
	fresh := withClaims(claimsB, map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
	if code := sendJSON(t, http.MethodGet, b.url(id, ""), signWithPoolKey(t, fresh), nil, nil); code != http.StatusOK {
		t.Fatalf("GET /imports/%s with a fresh token signed by the pool's key = %d, want 200: the refusals below would prove nothing", id, code)
	}
	tokens := []struct{ name, token string }{
		{"no token", ""},
		{"an expired token", signWithPoolKey(t, withClaims(claimsB, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}))},
		{"a forged signature", forge(t, fresh)},
	}
	for _, key := range keys {
		tt := isolation[key]
		t.Run("401: "+key, func(t *testing.T) {
			method, u := url(key, tt.query)
			for _, tok := range tokens {
				var answer map[string]any
				if code := sendJSON(t, method, u, tok.token, tt.body, &answer); code != http.StatusUnauthorized || answer["message"] != "Unauthorized" {
					t.Errorf("%s with %s = %d %v, want 401 Unauthorized", key, tok.name, code, answer)
				}
			}
		})
	}

	t.Run("B's import and configuration are as before", func(t *testing.T) {
		after, err := st.jobs.Get(ctx, tnB, id)
		if err != nil || !reflect.DeepEqual(after, before) {
			t.Errorf("B's job after the requests = %+v, %v, want as before: %+v", after, err, before)
		}
		if jobs, _ := st.jobs.List(ctx, tnB); len(jobs) != 1 {
			t.Errorf("B has %d imports, want its one", len(jobs))
		}
		if raw, err := st.tenants.Config(ctx, tnB, isolatedConfig); err != nil || string(raw) != keepName {
			t.Errorf("B's configuration = %q, %v, want as saved: %q", raw, err, keepName)
		}
		if raw, err := st.tenants.Config(ctx, tnA, isolatedConfig); err != nil || strings.Contains(string(raw), "keep") {
			t.Errorf("A's configuration of the same name = %q, %v, want A's own (overwrite)", raw, err)
		}
		for _, u := range []string{anna.ID, bo.ID} {
			if n := len(st.records(t, tnB, u)); n != 0 {
				t.Errorf("B's %s has %d records, want none: nothing was selected", u, n)
			}
		}
	})
	// B ends its import: every user excluded, nothing applied.
	b.post(t, id, "/selection", map[string]any{"exclude": []string{anna.ID, bo.ID}})
	t.Logf("isolation over %d routes: %s", len(keys), time.Since(start).Round(100*time.Millisecond))
}
