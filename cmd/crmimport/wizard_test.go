package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/apiclient"
	"github.com/crmimport/crm-import/internal/crm"
)

const annaPreview = `{"user":{"id":"u-anna","email":"anna@example.com","rows":5},"counts":{"create":5},"matched":0,"sample":[],"rows":[],"total":5}`

func waitingOn(user string) string {
	return importWith("WAITING", 0, 11, `,"attended":true,"waiting":{"for":"decision","user":{"id":"`+user+`","email":"`+user+`@example.com","rows":5},"since":"2026-12-01T10:00:00Z","expiresAt":"2026-12-08T10:00:00Z"}`)
}

// TestDecideNamesTheUserOfThePreviewShown: decide sends the user of the
// preview crmimport showed last for that import, kept in the config file
// between runs; a decision sent again names them too, and the API's 409
// comes with the command to run.
func TestDecideNamesTheUserOfThePreviewShown(t *testing.T) {
	inTurnIsBo := `the user in turn is bo@example.com, not anna@example.com: the decision on anna@example.com was already made (anna@example.com was imported); nothing was decided now: look at the preview of bo@example.com, then decide on it`
	fake := signedIn(t, map[string][]reply{
		"GET /imports/imp1/preview":   answer(annaPreview),
		"POST /imports/imp1/decision": {{status: 200, body: waitingOn("u-anna")}, failing(409, "conflict", inTurnIsBo)[0]},
		"GET /imports/imp1":           answer(waitingOn("u-bo")),
	})
	if code, _, errOut := run(t, "preview", "imp1"); code != ExitOK {
		t.Fatalf("crmimport preview imp1 = %d (%s), want 0", code, errOut)
	}
	if code, _, errOut := run(t, "decide", "imp1", "import"); code != ExitOK {
		t.Fatalf("crmimport decide imp1 import = %d (%s), want 0", code, errOut)
	}
	code, _, errOut := run(t, "decide", "imp1", "import")
	if want := inTurnIsBo + " (run crmimport preview imp1, then decide)"; code != ExitConflict || !strings.Contains(errOut, want) {
		t.Errorf("crmimport decide imp1 import again = %d %q, want %d and %q", code, errOut, ExitConflict, want)
	}
	want := []string{
		"GET /imports/imp1/preview",
		`POST /imports/imp1/decision {"decision":"import","user":"u-anna"}`,
		`POST /imports/imp1/decision {"decision":"import","user":"u-anna"}`,
		"GET /imports/imp1",
	}
	if sent := fake.sent(); strings.Join(sent, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests = %q, want %q", sent, want)
	}
	// Another import's preview is its own.
	code, _, errOut = run(t, "decide", "imp2", "import")
	if want := "look at the preview first: crmimport preview imp2"; code != ExitFailure || !strings.Contains(errOut, want) {
		t.Errorf("crmimport decide imp2 import = %d %q, want %d and %q", code, errOut, ExitFailure, want)
	}
}

// TestPreviewNotMadeTellsWhatToRun: a 409 of the preview in turn comes
// with the command that fits what the import waits for.
func TestPreviewNotMadeTellsWhatToRun(t *testing.T) {
	tests := []struct {
		name, message, im, want string
	}{
		{"being made", "the preview of anna@example.com is being made: wait a moment and ask again", importWith("PREVIEWING", 0, 11, ""),
			"the preview of anna@example.com is being made: wait a moment and ask again (run crmimport status imp1 --watch, then crmimport preview imp1)"},
		{"waiting for the selection", "the import waits for the selection of its users: the preview of the first one is made once the users to import are chosen",
			importWith("WAITING", 0, 11, `,"waiting":{"for":"selection","since":"2026-12-01T10:00:00Z","expiresAt":"2026-12-08T10:00:00Z"}`),
			"(run crmimport users imp1, then crmimport select imp1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signedIn(t, map[string][]reply{
				"GET /imports/imp1/preview": failing(409, "conflict", tt.message),
				"GET /imports/imp1":         answer(tt.im),
			})
			code, _, errOut := run(t, "preview", "imp1")
			if code != ExitConflict || !strings.Contains(errOut, tt.want) {
				t.Errorf("crmimport preview imp1 = %d %q, want %d and %q", code, errOut, ExitConflict, tt.want)
			}
		})
	}
}

// TestWizardUsageIsRefusedInWords: what a command cannot send is refused
// (exit 3) in words before any request: a decision with no preview seen,
// resume without saying how, a configuration file that is not one.
func TestWizardUsageIsRefusedInWords(t *testing.T) {
	cut := writeFile(t, "cut.json", `{"version": 1, "entity": "customers", "mode": "upd`)
	broken := writeFile(t, "broken.json", "{\n  \"version\": 1,\n  \"entity\": \"customers\",,\n}")
	unknown := writeFile(t, "unknown.json", `{"version": 1, "entity": "customers", "colour": "blue"}`)
	users := writeFile(t, "users.json", `{"version": 1, "entity": "users"}`)
	data := writeFile(t, "customers.csv", "Kundennummer;Name\n0042;Müller GmbH\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"decide with no preview seen", []string{"decide", "imp1", "import"}, "look at the preview first: crmimport preview imp1"},
		{"resume saying nothing", []string{"resume", "imp1"}, "say how the import goes on after back: give one of --config, --config-file and --stop, or --same"},
		{"resume saying two things", []string{"resume", "imp1", "--same", "--stop"}, "give one of --config, --config-file and --stop"},
		{"upload with a cut-off configuration file", []string{"upload", data, "--entity", "customers", "--config-file", cut},
			"the configuration file " + cut + " is not valid JSON: it ends at line 1 before what it opened is closed"},
		{"resume with a configuration file that is not JSON", []string{"resume", "imp1", "--config-file", broken},
			"the configuration file " + broken + " is not valid JSON: line 3, column 25: invalid character ','"},
		{"resume with an unknown setting", []string{"resume", "imp1", "--config-file", unknown},
			"the configuration file " + unknown + `: the import configuration is not valid: unknown setting "colour"`},
		{"upload with a configuration of another entity", []string{"upload", data, "--entity", "customers", "--config-file", users},
			"imports users, not customers"},
		{"upload with a configuration file that is missing", []string{"upload", data, "--entity", "customers", "--config-file", "nope.json"},
			"there is no configuration file nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := signedIn(t, nil)
			code, _, errOut := run(t, tt.args...)
			if code != ExitFailure || !strings.Contains(errOut, tt.want) || len(fake.sent()) != 0 {
				t.Errorf("crmimport %v = %d %q after %q, want %d %q and no request", tt.args, code, errOut, fake.sent(), ExitFailure, tt.want)
			}
			if strings.Contains(errOut, "MarshalJSON") || strings.Contains(errOut, "JSON input") || strings.Contains(errOut, "open ") {
				t.Errorf("crmimport %v = %q, want the problem in words, not a Go error", tt.args, errOut)
			}
		})
	}
}

// TestTheUserDirectoryIsNamedInTables: an import of the users entity has
// one user, the directory, with no e-mail; the tables say what it is.
func TestTheUserDirectoryIsNamedInTables(t *testing.T) {
	signedIn(t, map[string][]reply{
		"GET /imports/imp1/users":   answer(`{"users":[{"id":"directory","email":"","rows":3,"status":"pending"}],"unmatched":[],"unassigned":0}`),
		"GET /imports/imp1/results": answer(`{"users":[{"user":{"id":"directory","email":"","rows":3},"status":"imported","counts":{"rows":3,"created":3}}]}`),
	})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "imp1"}, "| directory | the user directory | 3 | pending |"},
		{[]string{"results", "imp1"}, "| imported | directory | the user directory | 3 | 3 | 0 | 0 | 0 | 0 | 0 | 0 |"},
	} {
		if code, out, errOut := run(t, tt.args...); code != ExitOK || !contains(out, tt.want) {
			t.Errorf("crmimport %v = %d\n%s%s\nwant a line %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestWaitingForNamesTheUserInTurnInWords(t *testing.T) {
	tests := []struct {
		user *apiclient.User
		want string
	}{
		{&apiclient.User{ID: "u-anna", Email: "anna@example.com", Rows: 5}, "a decision on anna@example.com's 5 rows"},
		{&apiclient.User{ID: apiclient.DirectoryUser, Rows: 2}, "a decision on the user directory's 2 rows"},
		{nil, "a decision (crmimport preview ID"},
	}
	for _, tt := range tests {
		if got := waitingFor(apiclient.Waiting{For: apiclient.ForDecision, User: tt.user}); !strings.HasPrefix(got, tt.want) {
			t.Errorf("waitingFor(%+v) = %q, want it to begin %q", tt.user, got, tt.want)
		}
	}
}

func TestPrintImportSaysItsRestorePointAndUndo(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	im := apiclient.Import{
		ID: "imp1", Status: crm.Succeeded,
		RestorePoint: &apiclient.RestorePoint{Time: at, Kind: "export"},
		Undone:       &crm.Undone{At: at.Add(time.Hour), By: "admin@acme.example", Deleted: 2, Restored: 5, Conflicts: 1},
	}
	var out bytes.Buffer
	if err := printImport(&out, im); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Restore    a restore point of " + when(at), "Undone     " + when(at.Add(time.Hour)) + " by admin@acme.example: 2 deleted, 5 put back, 1 changed since and left alone"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printImport printed\n%s\nwant it to contain %q", out.String(), want)
		}
	}
}
