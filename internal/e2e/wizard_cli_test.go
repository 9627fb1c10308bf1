package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

// The wizard driven only through the built crmimport, as a tenant's
// administrator would at a terminal: the test sets up the pool user and
// the tenant's user directory, everything else is a command.

// signedIn is a crmimport of its own (its own config directory, the
// binary of c) signed in as a new pool user of tenant in the groups.
func (c *cli) signedIn(t *testing.T, st *stack, tenant, user string, groups ...string) *cli {
	t.Helper()
	password := "Correct-Horse-7" + randomHex(4)
	addPoolUser(t, cip.NewFromConfig(st.cloud.AWS), st.cloud.Output(t, "USER_POOL_ID"), tenant, user, user, password, groups...)
	own := &cli{bin: c.bin, config: filepath.Join(t.TempDir(), "config")}
	for _, kv := range c.env {
		if !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			own.env = append(own.env, kv)
		}
	}
	own.env = append(own.env, "XDG_CONFIG_HOME="+own.config)
	if code, _, errOut := own.run(t, password+"\n", "login", "--user", user, "--password-stdin"); code != 0 {
		t.Fatalf("crmimport login --user %s = %d %q, want 0", user, code, errOut)
	}
	return own
}

// watch runs status ID --watch --json and returns its exit code and the
// import as it last saw it.
func (c *cli) watch(t *testing.T, id string) (int, apiclient.Import) {
	t.Helper()
	code, out, errOut := c.run(t, "", "status", id, "--watch", "--interval", "200ms", "--json")
	var im apiclient.Import
	if err := json.Unmarshal([]byte(out), &im); err != nil {
		t.Fatalf("crmimport status %s --watch --json = %d %q %q, not JSON: %v", id, code, out, errOut, err)
	}
	return code, im
}

// waitsFor runs status ID --watch until the import waits, and fails the
// test unless it waits for f; it returns the user in turn (for a
// decision).
func (c *cli) waitsFor(t *testing.T, id, f string) string {
	t.Helper()
	code, im := c.watch(t, id)
	if code != 0 || im.Status != crm.Waiting || im.Waiting == nil || im.Waiting.For != f {
		t.Fatalf("crmimport status %s --watch = %d, %s (%s) waiting %+v, want 0 and WAITING for %s", id, code, im.Status, im.Reason, im.Waiting, f)
	}
	if f == apiclient.ForDecision {
		if im.Waiting.User == nil {
			t.Fatalf("crmimport status %s --watch waits for a decision on no user", id)
		}
		return im.Waiting.User.ID
	}
	return ""
}

// workbook writes rows to a new XLSX file in a test directory, as a
// spreadsheet program saves it, and returns its path.
func workbook(t *testing.T, name string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatalf("SetSheetRow(%s): %v", cell, err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatalf("SaveAs(%s): %v", path, err)
	}
	return path
}

// agentRows are customers of the sales agents, named prefix and a number,
// under the titles the automatic mapping knows.
func agentRows(prefix string, agents ...crm.User) [][]any {
	rows := [][]any{{"Customer number", "Name", "Agent email"}}
	for i, a := range agents {
		rows = append(rows, []any{fmt.Sprintf("CLI-%d", i+1), fmt.Sprintf("%s %d", prefix, i+1), a.Email})
	}
	return rows
}

// writeConfig writes a configuration file for the CLI.
func writeConfig(t *testing.T, name, json string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	// keepName updates customers by number and keeps the name a record
	// has; overwriteName is the same but takes the file's name.
	keepName      = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "policies": {"name": "keep"}, "locale": "en-US"}`
	overwriteName = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "policies": {"name": "overwrite"}, "locale": "en-US"}`
)

// TestCLIWizardSelectsPreviewsDecidesAndGoesBack drives two attended
// imports through crmimport only. The first: a workbook of three agents
// and one the CRM does not know; users lists them with their rows, one
// agent is excluded, the first user previewed and imported, the second
// previewed and import-all; summary's counts equal the table and the
// excluded agent has nothing. The second: the same customers renamed,
// back at the second user, resume with the name's policy changed from
// keep to overwrite: the first user's customers keep their names, the
// second's take the new ones.
func TestCLIWizardSelectsPreviewsDecidesAndGoesBack(t *testing.T) {
	t.Parallel()
	start := time.Now()
	st := newStack(t)
	tn := newTenant(t)
	for _, u := range []crm.User{anna, bo, cara} {
		st.addUser(t, tn, u)
	}
	c := newCLI(t, st).signedIn(t, st, tn, tn+"-admin@demo.example", "administrator")
	c.ok(t, "config", "put", "agents", writeConfig(t, "agents.json", keepName))
	nobody := crm.User{Email: "nobody@demo.example"}
	wantRows := map[string]int{anna.ID: 3, bo.ID: 2, cara.ID: 1}

	t.Run("first run: select, preview, import, import-all", func(t *testing.T) {
		file := workbook(t, "agents.xlsx", agentRows("Old", anna, anna, anna, bo, bo, cara, nobody))
		id := strings.TrimSpace(c.ok(t, "upload", file, "--entity", "customers", "--config", "agents"))
		if len(id) < 8 || strings.ContainsAny(id, " \n") {
			t.Fatalf("crmimport upload = %q, want the import's id", id)
		}

		code, out, errOut := c.run(t, "", "status", id, "--watch", "--interval", "200ms")
		if code != 0 || !strings.Contains(out, "Status     WAITING") || !strings.Contains(out, "Waits for  the selection of users (crmimport users ID, crmimport select ID)") {
			t.Fatalf("crmimport status %s --watch = %d\n%s%s\nwant 0, WAITING for the selection in words", id, code, out, errOut)
		}

		var users apiclient.Users
		c.okJSON(t, &users, "users", id)
		got := map[string]int{}
		for _, u := range users.Users {
			got[u.ID] = u.Rows
		}
		if fmt.Sprint(got) != fmt.Sprint(wantRows) {
			t.Errorf("crmimport users --json rows = %v, want %v", got, wantRows)
		}
		if len(users.Unmatched) != 1 || users.Unmatched[0].Value != nobody.Email || users.Unmatched[0].Rows != 1 {
			t.Errorf("crmimport users --json unmatched = %+v, want %s with 1 row", users.Unmatched, nobody.Email)
		}
		table := c.ok(t, "users", id)
		for _, u := range []crm.User{anna, bo, cara} {
			if !lineHas(table, u.ID, u.Email, fmt.Sprint(wantRows[u.ID]), "pending") {
				t.Errorf("crmimport users = \n%s\nwant %s's line: %s, %d rows, pending", table, u.ID, u.Email, wantRows[u.ID])
			}
		}
		if !strings.Contains(table, "MATCHES NO USER") || !lineHas(table, nobody.Email, "1") || !strings.Contains(table, "1 row names no user: it will not be imported.") {
			t.Errorf("crmimport users = \n%s\nwant %s under the values that match no user, with 1 row", table, nobody.Email)
		}

		c.ok(t, "select", id, "--exclude", cara.Email)
		first := c.waitsFor(t, id, apiclient.ForDecision)
		var pv apiclient.Preview
		c.okJSON(t, &pv, "preview", id)
		if pv.User.ID != first || pv.Counts.Create != wantRows[first] || pv.Total != wantRows[first] {
			t.Errorf("crmimport preview --json = %+v, want %s creating %d rows", pv, first, wantRows[first])
		}
		if out := c.ok(t, "preview", id); !strings.Contains(out, "crmimport decide "+id) {
			t.Errorf("crmimport preview = \n%s\nwant it to say how to decide", out)
		}
		c.ok(t, "decide", id, "import")

		second := c.waitsFor(t, id, apiclient.ForDecision)
		if second == first || second == cara.ID {
			t.Fatalf("the second decision is for %s, want the included user after %s", second, first)
		}
		// The same decision sent again names the first user, whose
		// preview was shown: it must not import the second unseen.
		if code, _, errOut := c.run(t, "", "decide", id, "import"); code != 6 || !strings.Contains(errOut, "the user in turn is") || !strings.Contains(errOut, "crmimport preview "+id) {
			t.Errorf("crmimport decide %s import again = %d %q, want 6 saying whose turn it is and to run crmimport preview", id, code, errOut)
		}
		if again := c.waitsFor(t, id, apiclient.ForDecision); again != second {
			t.Fatalf("after the decision sent again the import waits for %s, want still %s", again, second)
		}
		c.okJSON(t, &pv, "preview", id)
		if pv.User.ID != second || pv.Counts.Create != wantRows[second] {
			t.Errorf("crmimport preview --json = %+v, want %s creating %d rows", pv, second, wantRows[second])
		}
		c.ok(t, "decide", id, "import-all")
		if code, im := c.watch(t, id); code != 0 || im.Status != crm.Succeeded {
			t.Fatalf("crmimport status %s --watch = %d %s (%s), want 0 and SUCCEEDED", id, code, im.Status, im.Reason)
		}

		var sum apiclient.Summary
		c.okJSON(t, &sum, "summary", id)
		created := map[string]int{}
		for _, u := range sum.Users {
			created[u.ID] = u.Counts.Created + u.Counts.Updated
		}
		for _, u := range []crm.User{anna, bo, cara} {
			recs := len(st.records(t, tn, u.ID))
			want := wantRows[u.ID]
			if u.ID == cara.ID {
				want = 0
			}
			if created[u.ID] != recs || recs != want {
				t.Errorf("%s: summary counts %d created, table %d records, want %d of both", u.ID, created[u.ID], recs, want)
			}
		}
		if out := c.ok(t, "summary", id); !lineHas(out, anna.ID, "3") || !lineHas(out, bo.ID, "2") {
			t.Errorf("crmimport summary = \n%s\nwant anna's and bo's lines with their rows", out)
		}
	})

	t.Run("second run: back at the second user, resume with another policy", func(t *testing.T) {
		file := workbook(t, "renamed.xlsx", agentRows("New", anna, anna, anna, bo, bo))
		id := strings.TrimSpace(c.ok(t, "upload", file, "--entity", "customers", "--config", "agents"))
		c.waitsFor(t, id, apiclient.ForSelection)
		c.ok(t, "select", id)
		first := c.waitsFor(t, id, apiclient.ForDecision)
		c.ok(t, "decide", id, "import", "--user", first)
		second := c.waitsFor(t, id, apiclient.ForDecision)
		c.ok(t, "decide", id, "back", "--user", second)

		code, out, errOut := c.run(t, "", "status", id, "--watch", "--interval", "200ms")
		if code != 0 || !strings.Contains(out, "Waits for  what to do after back") {
			t.Fatalf("crmimport status %s --watch after back = %d\n%s%s\nwant 0, waiting for what to do after back", id, code, out, errOut)
		}
		c.ok(t, "resume", id, "--config-file", writeConfig(t, "overwrite.json", overwriteName))
		if again := c.waitsFor(t, id, apiclient.ForDecision); again != second {
			t.Fatalf("after resume the decision is for %s, want %s again", again, second)
		}
		var pv apiclient.Preview
		c.okJSON(t, &pv, "preview", id)
		if pv.Counts.Update != wantRows[second] {
			t.Errorf("crmimport preview --json after resume = %+v, want %d updates (the new names, under overwrite)", pv.Counts, wantRows[second])
		}
		c.ok(t, "decide", id, "import")
		if code, im := c.watch(t, id); code != 0 || im.Status != crm.Succeeded {
			t.Fatalf("crmimport status %s --watch = %d %s (%s), want 0 and SUCCEEDED", id, code, im.Status, im.Reason)
		}
		for user, want := range map[string]string{first: "Old", second: "New"} {
			for _, r := range st.records(t, tn, user) {
				if !strings.HasPrefix(r.Fields["name"], want+" ") {
					t.Errorf("%s's customer %s is named %q, want %s... (the settings in force when it was decided)", user, r.Fields["customer_number"], r.Fields["name"], want)
				}
			}
		}
	})
	t.Logf("both runs: %s", time.Since(start).Round(100*time.Millisecond))
}

// TestCLIUnattendedConfigurationRunsWithoutAWait: an import created by an
// administrator through crmimport under a configuration marked unattended
// runs to the end with no selection and no decision; status --watch,
// which stops at any wait, sees it SUCCEEDED.
func TestCLIUnattendedConfigurationRunsWithoutAWait(t *testing.T) {
	t.Parallel()
	start := time.Now()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	c := newCLI(t, st).signedIn(t, st, tn, tn+"-admin@demo.example", "administrator")
	cfg := writeConfig(t, "nightly.json", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "unattended": true, "locale": "en-US"}`)
	file := workbook(t, "nightly.xlsx", agentRows("Night", anna, bo, bo))

	id := strings.TrimSpace(c.ok(t, "upload", file, "--entity", "customers", "--config-file", cfg))
	code, im := c.watch(t, id)
	if code != 0 || im.Status != crm.Succeeded || im.Waiting != nil || im.Counts.Created != 3 {
		t.Errorf("crmimport status %s --watch = %d, %s (%s), waiting %+v, %+v, want 0, SUCCEEDED, 3 created, no decision asked", id, code, im.Status, im.Reason, im.Waiting, im.Counts)
	}
	if n, m := len(st.records(t, tn, anna.ID)), len(st.records(t, tn, bo.ID)); n != 1 || m != 2 {
		t.Errorf("records: anna %d, bo %d, want 1 and 2", n, m)
	}
	t.Logf("unattended run: %s", time.Since(start).Round(100*time.Millisecond))
}

// TestCLIPlainUserCannotImportForManyUsers: a user in neither the
// administrator nor the supervisor group uploads a workbook naming
// another agent; the import ends FAILED with the split step's words, and
// status --watch says so with its exit code.
func TestCLIPlainUserCannotImportForManyUsers(t *testing.T) {
	t.Parallel()
	start := time.Now()
	st := newStack(t)
	tn := newTenant(t)
	clerk := crm.User{ID: "u-clerk", Email: tn + "-clerk@demo.example"}
	st.addUser(t, tn, clerk)
	st.addUser(t, tn, bo)
	c := newCLI(t, st).signedIn(t, st, tn, clerk.Email, "user")
	file := workbook(t, "two-agents.xlsx", agentRows("Mine", clerk, bo))

	id := strings.TrimSpace(c.ok(t, "upload", file, "--entity", "customers"))
	code, out, errOut := c.run(t, "", "status", id, "--watch", "--interval", "200ms")
	want := fmt.Sprintf("row 3 names %q as its sales agent, but you may import only your own records", bo.Email)
	if code != 8 || !strings.Contains(out, "Status     FAILED") || !strings.Contains(out, want) || !strings.Contains(out, "only administrators and supervisors import for other users") {
		t.Errorf("crmimport status %s --watch = %d\n%s%s\nwant 8, FAILED: %s... only administrators and supervisors...", id, code, out, errOut, want)
	}
	for _, u := range []crm.User{clerk, bo} {
		if n := len(st.records(t, tn, u.ID)); n != 0 {
			t.Errorf("%s has %d records, want none", u.ID, n)
		}
	}
	t.Logf("plain user's refused run: %s", time.Since(start).Round(100*time.Millisecond))
}

// lineHas reports whether one line of a table names every word.
func lineHas(table string, words ...string) bool {
	for _, line := range strings.Split(table, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, " "+w+" ")
		}
		if all {
			return true
		}
	}
	return false
}
