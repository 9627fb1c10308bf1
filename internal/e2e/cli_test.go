package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/crmimport/crm-import/internal/crm"
)

// cli runs the built crmimport as a tenant's user would, with its own
// config directory and only the local cloud's environment
// (.localcloud/env's API_URL, USER_POOL_CLIENT_ID, USER_POOL_ID).
type cli struct {
	bin    string
	config string // XDG_CONFIG_HOME
	env    []string
}

func newCLI(t *testing.T, st *stack) *cli {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "crmimport")
	build := exec.Command("go", "build", "-o", bin, "./cmd/crmimport")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/crmimport: %v\n%s", err, out)
	}
	c := &cli{bin: bin, config: filepath.Join(dir, "config")}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CRMIMPORT_") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			c.env = append(c.env, kv)
		}
	}
	c.env = append(c.env, "XDG_CONFIG_HOME="+c.config,
		"AWS_ENDPOINT_URL="+st.cloud.Endpoint,
		"API_URL="+st.cloud.Output(t, "API_URL"),
		"USER_POOL_CLIENT_ID="+st.cloud.Output(t, "USER_POOL_CLIENT_ID"),
		"USER_POOL_ID="+st.cloud.Output(t, "USER_POOL_ID"))
	return c
}

// run runs crmimport with args and stdin, and returns its exit code,
// stdout and stderr.
func (c *cli) run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("crmimport %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// ok runs crmimport and fails the test unless it exits 0.
func (c *cli) ok(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := c.run(t, "", args...)
	if code != 0 {
		t.Fatalf("crmimport %s = %d, stderr %q, want 0", strings.Join(args, " "), code, errOut)
	}
	return out
}

// okJSON runs crmimport with --json and decodes its answer into v.
func (c *cli) okJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := c.ok(t, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("crmimport %s --json = %q, not JSON: %v", strings.Join(args, " "), out, err)
	}
}

// TestCLIFollowsAnImportThroughTheAPI drives the built crmimport against
// the local cloud as a tenant's administrator: login with the local
// cloud's environment only, saved configurations (put, list, get,
// download, delete), and an import dropped into the bucket followed with
// imports, status --watch, report, summary and errors -o; a token that has
// expired is renewed with the refresh token; a plain user may not change
// configurations.
func TestCLIFollowsAnImportThroughTheAPI(t *testing.T) {
	st := newStack(t)
	pool := st.cloud.Output(t, "USER_POOL_ID")
	idp := cip.NewFromConfig(st.cloud.AWS)
	tn := newTenant(t)
	admin, password := tn+"-admin@demo.example", "Correct-Horse-7"+randomHex(4)
	addPoolUser(t, idp, pool, tn, admin, admin, password, "administrator")
	c := newCLI(t, st)

	if code, out, errOut := c.run(t, password+"\n", "login", "--user", admin, "--password-stdin"); code != 0 || !strings.Contains(out, "Signed in as "+admin) {
		t.Fatalf("crmimport login = %d %q %q, want 0 and signed in", code, out, errOut)
	}
	if code, _, errOut := c.run(t, "", "config", "list"); code != 0 {
		t.Fatalf("crmimport config list after login = %d %q, want 0", code, errOut)
	}

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "customers-de.json")
	if err := os.WriteFile(cfgFile, []byte(germanCustomers), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("config put, list, get, download", func(t *testing.T) {
		if out := c.ok(t, "config", "put", "customers-de", cfgFile); out != "Saved customers-de\n" {
			t.Errorf("crmimport config put = %q, want Saved customers-de", out)
		}
		var list struct {
			Configs []struct{ Name, Entity, Mode string }
		}
		c.okJSON(t, &list, "config", "list")
		if len(list.Configs) != 1 || list.Configs[0].Name != "customers-de" || list.Configs[0].Entity != "customers" || list.Configs[0].Mode != "update" {
			t.Errorf("crmimport config list = %+v, want customers-de, customers, update", list.Configs)
		}
		if !strings.Contains(c.ok(t, "config", "list"), "customers-de") {
			t.Errorf("crmimport config list's table does not name customers-de")
		}
		if got := c.ok(t, "config", "get", "customers-de"); got != germanCustomers+"\n" {
			t.Errorf("crmimport config get = %q, want the file as saved", got)
		}
		down := filepath.Join(dir, "downloaded.json")
		c.ok(t, "config", "download", "customers-de", "-o", down)
		if got, _ := os.ReadFile(down); string(got) != germanCustomers {
			t.Errorf("crmimport config download wrote %q, want the file as saved", got)
		}
	})

	st.addUser(t, tn, anna)
	sample := string(readFile(t, "testdata/sample/customers.csv"))
	const bad = "zwölf"
	file := strings.Replace(sample, `"1.234,50"`, bad, 1) // row 2, Revenue
	id := st.upload(t, tn, "customers", "customers.csv", []byte(file), "customers-de")
	waitForJobRecord(t, st, tn, id)

	t.Run("status --watch follows it to the end", func(t *testing.T) {
		code, out, errOut := c.run(t, "", "status", id, "--watch", "--interval", "200ms")
		if code != 0 || !strings.Contains(out, "Status     SUCCEEDED") || !strings.Contains(out, "Applied    12/12 rows") {
			t.Errorf("crmimport status --watch = %d\n%s%s\nwant 0, SUCCEEDED, 12/12 rows applied", code, out, errOut)
		}
	})
	t.Run("imports lists it", func(t *testing.T) {
		var list struct {
			Imports []struct {
				ID     string
				Status crm.Status
				Counts crm.Counts
			}
		}
		c.okJSON(t, &list, "imports")
		want := crm.Counts{Rows: 12, Invalid: 1, Created: 11}
		if len(list.Imports) != 1 || list.Imports[0].ID != id || list.Imports[0].Status != crm.Succeeded || list.Imports[0].Counts != want {
			t.Errorf("crmimport imports = %+v, want %s SUCCEEDED %+v", list.Imports, id, want)
		}
		if !strings.Contains(c.ok(t, "imports"), id) {
			t.Errorf("crmimport imports' table does not name %s", id)
		}
	})
	t.Run("report names the bad row", func(t *testing.T) {
		var rep struct {
			Rows   int
			Errors []crm.RowError
		}
		c.okJSON(t, &rep, "report", id)
		if rep.Rows != 12 || len(rep.Errors) != 1 || rep.Errors[0].Row != 2 || rep.Errors[0].Column != "Revenue" || rep.Errors[0].Value != bad {
			t.Errorf("crmimport report = %+v, want 12 rows and row 2's Revenue %q", rep, bad)
		}
		if out := c.ok(t, "report", id); !strings.Contains(out, "Revenue") || !strings.Contains(out, bad) {
			t.Errorf("crmimport report's table = %q, want the Revenue error", out)
		}
	})
	t.Run("summary per user", func(t *testing.T) {
		var sum struct {
			Status crm.Status
			Counts crm.Counts
			Users  []struct {
				ID     string
				Counts crm.Counts
			}
		}
		c.okJSON(t, &sum, "summary", id)
		if sum.Status != crm.Succeeded || len(sum.Users) != 1 || sum.Users[0].ID != anna.ID || sum.Users[0].Counts.Created != 11 {
			t.Errorf("crmimport summary = %+v, want SUCCEEDED, anna 11 created", sum)
		}
		if out := c.ok(t, "summary", id); !strings.Contains(out, anna.Email) {
			t.Errorf("crmimport summary's table = %q, want anna's line", out)
		}
	})
	t.Run("errors -o writes the error file", func(t *testing.T) {
		path := filepath.Join(dir, "errors.csv")
		c.ok(t, "errors", id, "-o", path)
		got, _ := os.ReadFile(path)
		if !strings.Contains(string(got), "2,Revenue,"+bad+",") {
			t.Errorf("crmimport errors -o wrote %q, want row 2's line", got)
		}
	})
	t.Run("an expired token is refreshed", func(t *testing.T) {
		path := filepath.Join(c.config, "crmimport", "config.json")
		var file map[string]map[string]map[string]any
		data, _ := os.ReadFile(path)
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("config file %s = %q: %v", path, data, err)
		}
		tokens := file["profiles"]["default"]["tokens"].(map[string]any)
		oldToken := tokens["idToken"]
		tokens["expiresAt"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
		data, _ = json.Marshal(file)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.ok(t, "imports"), id) {
			t.Errorf("crmimport imports with an expired token does not list %s", id)
		}
		data, _ = os.ReadFile(path)
		_ = json.Unmarshal(data, &file)
		tokens = file["profiles"]["default"]["tokens"].(map[string]any)
		exp, _ := time.Parse(time.RFC3339, tokens["expiresAt"].(string))
		if tokens["idToken"] == oldToken || !exp.After(time.Now()) {
			t.Errorf("tokens after the refresh expire %v, new token %v, want a new token that has not expired", exp, tokens["idToken"] != oldToken)
		}
	})
	t.Run("config delete, then get is not found", func(t *testing.T) {
		c.ok(t, "config", "delete", "customers-de")
		if code, _, errOut := c.run(t, "", "config", "get", "customers-de"); code != 5 || !strings.Contains(errOut, "customers-de") {
			t.Errorf("crmimport config get of a deleted one = %d %q, want 5 naming it", code, errOut)
		}
	})
	t.Run("a plain user may not change configurations", func(t *testing.T) {
		user := tn + "-user@demo.example"
		addPoolUser(t, idp, pool, tn, user, user, password)
		plain := newCLI(t, st)
		if code, _, errOut := plain.run(t, password+"\n", "login", "--user", user, "--password-stdin"); code != 0 {
			t.Fatalf("crmimport login as %s = %d %q", user, code, errOut)
		}
		if code, _, errOut := plain.run(t, "", "config", "put", "customers-de", cfgFile); code != 7 || !strings.Contains(errOut, "only administrators and supervisors") {
			t.Errorf("crmimport config put as a plain user = %d %q, want 7 and the refusal", code, errOut)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		if code, _, errOut := newCLI(t, st).run(t, "wrong-password\n", "login", "--user", admin, "--password-stdin"); code != 4 || !strings.Contains(errOut, "password is wrong") {
			t.Errorf("crmimport login with a wrong password = %d %q, want 4 and words on the password", code, errOut)
		}
	})
}

// waitForJobRecord waits until the trigger has written the job, so the
// API knows the import.
func waitForJobRecord(t *testing.T, st *stack, tenant, id string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := st.jobs.Get(context.Background(), tenant, id)
		if err == nil {
			return
		}
		if crm.KindOf(err) != crm.NotFound || time.Now().After(deadline) {
			t.Fatalf("job %s: %v", id, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
