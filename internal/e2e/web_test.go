package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/crm"
)

// The import wizard's page in headless Chromium (web/test/wizard.mjs,
// playwright-core driving Debian's chromium), against the page and API the
// stack serves: the browser does what a tenant does, this test sets up the
// tenant and compares the summary on screen with the table.

// webScreenshots is where the browser tests write a picture of every
// screen (one of the preview is in the README).
const webScreenshots = "web/screenshots"

// agentsWorkbook writes an XLSX of customers for three agents and one the
// CRM does not know; the column "Sales figure" maps to no field until the
// tenant maps it, and bo's second row then holds a number that is not one.
func agentsWorkbook(t *testing.T) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Customer number", "Name", "Agent email", "Sales figure"},
		{"W-1", "Alpha", anna.Email, 1200},
		{"W-2", "Beta", anna.Email, 800},
		{"W-3", "Gamma", bo.Email, 500},
		{"W-4", "Delta", bo.Email, "lots"},
		{"W-5", "Epsilon", cara.Email, 300},
		{"W-6", "Zeta", "nobody@demo.example", 100},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatalf("SetSheetRow(%d) = %v", i+1, err)
		}
	}
	path := filepath.Join(t.TempDir(), "customers.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatalf("SaveAs(%s) = %v", path, err)
	}
	return path
}

type shownSummary struct {
	Summary []struct {
		User   string         `json:"user"`
		Counts map[string]int `json:"counts"`
	} `json:"summary"`
	ErrorFile string   `json:"errorFile"`
	Findings  []string `json:"findings"`
}

// browse runs the browser's scenario for a tenant with anna, bo and cara
// (added by the caller), signed in as its administrator, and returns what
// the summary screen showed.
func browse(t *testing.T, st *stack, tenant, scenario string) shownSummary {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "web/node_modules/playwright-core")); err != nil {
		t.Fatalf("web/node_modules has no playwright-core (%v): run make web, which installs web/package-lock.json", err)
	}
	idp := cip.NewFromConfig(st.cloud.AWS)
	email, password := tenant+"-admin@demo.example", "Correct-Horse-"+randomHex(4)
	addPoolUser(t, idp, st.cloud.Output(t, "USER_POOL_ID"), tenant, email, email, password, "administrator")

	out := filepath.Join(t.TempDir(), "summary.json")
	cmd := exec.Command("node", "test/wizard.mjs")
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(),
		"WEB_URL="+st.cloud.Output(t, "API_URL")+"/app/", "EMAIL="+email, "PASSWORD="+password,
		"FILE="+agentsWorkbook(t), "SHOTS="+filepath.Join(root, webScreenshots), "SCENARIO="+scenario, "OUT="+out)
	logs, err := cmd.CombinedOutput()
	t.Logf("browser (%s):\n%s", scenario, logs)
	t.Logf("screenshots in %s", filepath.Join(root, webScreenshots))
	if err != nil {
		t.Fatalf("node test/wizard.mjs (%s) = %v", scenario, err)
	}
	var shown shownSummary
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the browser's summary: %v", err)
	}
	if err := json.Unmarshal(data, &shown); err != nil {
		t.Fatalf("the browser's summary: %v", err)
	}
	return shown
}

// addAgents puts anna, bo and cara in the tenant's user directory.
func addAgents(t *testing.T, st *stack, tenant string) {
	t.Helper()
	for _, u := range []crm.User{anna, bo, cara} {
		st.addUser(t, tenant, u)
	}
}

// sameAsTable fails the test unless every user's counts on screen are
// what DynamoDB holds: each row created, updated or unchanged is one
// record, and the user has no other (the tests' tenants are new).
func sameAsTable(t *testing.T, st *stack, tenant string, shown shownSummary, want map[string]int) {
	t.Helper()
	ids := map[string]string{anna.Email: anna.ID, bo.Email: bo.ID, cara.Email: cara.ID}
	got := map[string]int{}
	for _, s := range shown.Summary {
		if s.User == "" {
			continue // the line of all users
		}
		recs := len(st.records(t, tenant, ids[s.User]))
		if shown := s.Counts["created"] + s.Counts["updated"] + s.Counts["unchanged"]; recs != shown {
			t.Errorf("summary on screen for %s: %d created, updated or unchanged, but the table holds %d records", s.User, shown, recs)
		}
		got[s.User] = s.Counts["created"]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("created per user on screen = %v, want %v", got, want)
	}
}

// TestWebWizardSelectsAndImports: a column mapped by hand, key fields and
// one policy, cara excluded, Import for the first user and Import all
// users for the rest; the summary on screen equals the table, and the
// error file names bo's bad number (row 5) and the unknown agent's row (7).
func TestWebWizardSelectsAndImports(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	addAgents(t, st, tn)
	shown := browse(t, st, tn, "select")
	sameAsTable(t, st, tn, shown, map[string]int{anna.Email: 2, bo.Email: 1})
	if recs := st.records(t, tn, cara.ID); len(recs) != 0 {
		t.Errorf("cara, excluded on the selection screen, has %d records, want none", len(recs))
	}
	for _, s := range shown.Summary {
		if s.User == anna.Email {
			for _, r := range st.records(t, tn, anna.ID) {
				if r.Fields["revenue"] == "" {
					t.Errorf("record %s of anna has no revenue: the column mapped on the report screen was not imported", r.ID)
				}
			}
		}
	}
	data, err := os.ReadFile(shown.ErrorFile)
	if err != nil {
		t.Fatalf("the downloaded error file: %v", err)
	}
	errs := string(data)
	for _, want := range []string{"5,Sales figure,lots,", "7,,nobody@demo.example,"} {
		if !strings.Contains(errs, want) {
			t.Errorf("the downloaded error file lacks %q:\n%s", want, errs)
		}
	}
}

// TestWebWizardBackChangesAPolicy: anna's W-1 exists as "Alfa"; the
// first preview shows its name changing, Back returns to the settings,
// the name's policy becomes keep, and the import goes on to the end with
// W-1 still "Alfa".
func TestWebWizardBackChangesAPolicy(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	addAgents(t, st, tn)
	seed := "Customer number,Name,Agent email\nW-1,Alfa," + anna.Email + "\n"
	if j := st.waitJob(t, tn, st.upload(t, tn, "customers", "seed.csv", []byte(seed), "")); j.Status != crm.Succeeded {
		t.Fatalf("the seed import ended %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	shown := browse(t, st, tn, "back")
	sameAsTable(t, st, tn, shown, map[string]int{anna.Email: 1, bo.Email: 2, cara.Email: 1})
	if got := byField(st.records(t, tn, anna.ID), "customer_number")["W-1"].Fields["name"]; got != "Alfa" {
		t.Errorf("W-1's name after the import with name kept = %q, want Alfa (the policy chosen after Back)", got)
	}
}

// TestWebWizardUndoes: imported with the defaults (decided by keyboard),
// then undone on the undo screen after its confirmation: the table holds
// none of the import's records. The restore screen answers the restore's
// dry run, or says restoring is not available while its routes are not
// deployed.
func TestWebWizardUndoes(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	addAgents(t, st, tn)
	browse(t, st, tn, "undo")
	for _, u := range []crm.User{anna, bo, cara} {
		if recs := st.records(t, tn, u.ID); len(recs) != 0 {
			t.Errorf("after the undo %s has %d records, want none", u.Email, len(recs))
		}
	}
}
