package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/apiclient"
)

// fakeAPI answers "METHOD /path" as the contract says the API does; a
// route with several answers gives them in turn, the last one again.
type fakeAPI struct {
	mu       sync.Mutex
	answers  map[string][]reply
	requests []string // "METHOD /path?query body"
	url      string
}

type reply struct {
	status  int
	body    string
	headers map[string]string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Method + " " + r.URL.EscapedPath()
	f.mu.Lock()
	line := key
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	if len(body) > 0 && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		line += " " + string(body)
	}
	f.requests = append(f.requests, line)
	rs := f.answers[key]
	var a reply
	switch {
	case len(rs) == 0:
		a = reply{status: 404, body: `{"message":"Not Found"}`}
	case len(rs) == 1:
		a = rs[0]
	default:
		a, f.answers[key] = rs[0], rs[1:]
	}
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer test-token" && !strings.HasPrefix(r.URL.Path, "/s3") {
		a = reply{status: 401, body: `{"message":"Unauthorized"}`}
	}
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, strings.ReplaceAll(a.body, "{{url}}", f.url))
}

func (f *fakeAPI) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// signedIn starts the fake API and a config file whose default profile
// is signed in to it with a token valid for an hour.
func signedIn(t *testing.T, answers map[string][]reply) *fakeAPI {
	t.Helper()
	f := &fakeAPI{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	isolate(t)
	s, err := loadSettings(globals{})
	if err != nil {
		t.Fatal(err)
	}
	s.APIURL = srv.URL
	s.Tokens = &apiclient.Tokens{IDToken: "test-token", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.save(); err != nil {
		t.Fatal(err)
	}
	return f
}

// isolate gives the test its own config directory and an environment
// without the settings a shell (or .localcloud/env) may have exported.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	// Times are shown in the local zone; the tests' are in UTC.
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })
	for _, names := range [][]string{envNames.apiURL, envNames.clientID, envNames.poolID, envNames.region, envNames.profile} {
		for _, n := range names {
			t.Setenv(n, "")
		}
	}
}

func answer(body string) []reply { return []reply{{status: 200, body: body}} }

func failing(status int, code, message string) []reply {
	data, _ := json.Marshal(map[string]string{"code": code, "message": message})
	return []reply{{status: status, body: string(data)}}
}

const doneImport = `{"id":"imp1","entity":"customers","file":"customers.csv","status":"SUCCEEDED","users":2,
	"counts":{"rows":12,"invalid":1,"created":9,"updated":2,"unchanged":0,"deleted":0,"skipped":0,"failed":0},
	"done":11,"total":11,"attended":false,"createdAt":"2026-12-01T09:59:00Z","updatedAt":"2026-12-01T10:00:00Z","finishedAt":"2026-12-01T10:00:00Z"}`

func importWith(status string, done, total int, extra string) string {
	return `{"id":"imp1","entity":"customers","file":"customers.csv","status":"` + status + `","users":2,"counts":{"rows":12},"done":` +
		itoa(done) + `,"total":` + itoa(total) + extra + `,"createdAt":"2026-12-01T09:59:00Z","updatedAt":"2026-12-01T10:00:00Z"}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestClientCommandsPrintTablesAndJSON: each command asks its route and
// prints a table for people, or the API's answer as JSON with --json.
func TestClientCommandsPrintTablesAndJSON(t *testing.T) {
	answers := map[string][]reply{
		"GET /imports":      answer(`{"imports":[` + doneImport + `],"next":"tok2"}`),
		"GET /imports/imp1": answer(doneImport),
		"GET /imports/imp1/report": answer(`{"format":"csv","encoding":"utf-8","delimiter":";","rows":12,"rowsWithErrors":1,
			"mapping":[{"index":0,"title":"Kundennummer","field":"customer_number","how":"title"},{"index":7,"title":"Interne Notiz","how":"unmapped"}],
			"unmapped":["Interne Notiz"],"warnings":["row 5, column \"Name\": a bare quote"],"missing":[],
			"errors":[{"row":3,"column":"PLZ","field":"postcode","value":"x","reason":"is not a postcode"}],"total":1,"errorCount":1,"offset":0,"limit":100}`),
		"GET /imports/imp1/users": answer(`{"users":[{"id":"u-anna","email":"anna@example.com","name":"Anna","rows":5,"status":"pending"},{"id":"u-bo","email":"bo@example.com","name":"Bo","rows":4,"status":"pending"}],
			"unmatched":[{"value":"jane@x","rows":3}],"unassigned":0}`),
		"GET /imports/imp1/preview": answer(`{"user":{"id":"u-anna","email":"anna@example.com","rows":5},"counts":{"create":2,"update":1,"unchanged":1,"delete":0,"skip":1,"errors":0},"matched":2,
			"sample":[{"row":4,"action":"update","id":"c1","changes":[{"field":"city","old":"Köln","new":"Bonn"}]}],"rows":[],"total":5}`),
		"GET /imports/imp1/summary": answer(`{"id":"imp1","status":"SUCCEEDED","counts":{"rows":12,"invalid":1,"created":9,"updated":2},
			"users":[{"id":"u-anna","email":"anna@example.com","rows":5,"counts":{"rows":5,"created":3,"updated":2}},{"id":"u-bo","email":"bo@example.com","rows":6,"counts":{"rows":6,"created":6}}],"hasErrorFile":true}`),
		"GET /imports/imp1/results": answer(`{"users":[{"user":{"id":"u-anna","email":"anna@example.com","rows":5},"status":"imported","counts":{"rows":5,"created":3,"updated":2}},{"user":{"id":"u-bo","email":"bo@example.com","rows":2},"status":"excluded","counts":{}}]}`),
		"GET /imports/imp1/duplicates": answer(`{"importId":"imp1","entity":"customers","checked":40,"total":1,"withinFile":0,"existing":1,"listed":1,
			"pairs":[{"a":{"id":"c9","user":"u-anna","name":"Nord AG","import":true},"b":{"id":"c2","user":"u-bo","name":"Nord"},"shared":{"email":"info@nord.example","name_postcode":"nord 10115"},"withinFile":false}]}`),
		"GET /configs":              answer(`{"configs":[{"name":"customers-de","entity":"customers","mode":"update"}]}`),
		"GET /configs/customers-de": answer("{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}"),
	}
	tests := []struct {
		name      string
		args      []string
		want      []string // lines (tables as "| a | b |") the output holds
		wantJSON  string   // a key path the JSON holds, checked by decoding
		wantAsked string
	}{
		{"imports", []string{"imports"}, []string{"| imp1 | customers | customers.csv | SUCCEEDED | 12 | 11/11 | 9 | 2 | 1 | 2026-12-01 09:59:00 |", "More: crmimport imports --next tok2"}, "imports", "GET /imports"},
		{"imports of a page", []string{"imports", "--limit", "10", "--next", "tok1"}, []string{"| imp1 | customers | customers.csv | SUCCEEDED | 12 | 11/11 | 9 | 2 | 1 | 2026-12-01 09:59:00 |"}, "imports", "GET /imports?limit=10&next=tok1"},
		{"status", []string{"status", "imp1"}, []string{"Status     SUCCEEDED", "Applied    11/11 rows", "| 12 | 1 | 9 | 2 | 0 | 0 | 0 | 0 |"}, "status", "GET /imports/imp1"},
		{"report", []string{"report", "imp1"}, []string{"Encoding   utf-8", "Delimiter  ;", "Rows       12, 1 with errors", "Unmapped   Interne Notiz",
			`Warning    row 5, column "Name": a bare quote`, "| A | Kundennummer | customer_number | title |", "| 3 | PLZ | x | is not a postcode |"}, "errors", "GET /imports/imp1/report"},
		{"users", []string{"users", "imp1"}, []string{"| u-anna | anna@example.com | Anna | 5 | pending |", "| u-bo | bo@example.com | Bo | 4 | pending |", "| jane@x | 3 |"}, "unmatched", "GET /imports/imp1/users"},
		{"preview", []string{"preview", "imp1", "--user", "u-anna"}, []string{"User       anna@example.com (u-anna), 5 rows", "Matched    2 rows match existing records",
			"| 2 | 1 | 1 | 0 | 1 | 0 |", "| 4 | update | c1 | city | Köln | Bonn |", "Decide: crmimport decide imp1 import|skip|import-all|back"}, "sample", "GET /imports/imp1/preview?user=u-anna"},
		{"summary", []string{"summary", "imp1"}, []string{"| u-anna | anna@example.com | 5 | 3 | 2 | 0 | 0 | 0 | 0 | 0 |", "| u-bo | bo@example.com | 6 | 6 | 0 | 0 | 0 | 0 | 0 | 0 |",
			"| TOTAL | | 12 | 9 | 2 | 0 | 0 | 0 | 1 | 0 |", "Rows not imported: crmimport errors imp1 -o errors.csv"}, "users", "GET /imports/imp1/summary"},
		{"results", []string{"results", "imp1"}, []string{"| imported | u-anna | anna@example.com | 5 | 3 | 2 | 0 | 0 | 0 | 0 | 0 |", "| excluded | u-bo   | bo@example.com   | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"}, "users", "GET /imports/imp1/results"},
		{"duplicates", []string{"duplicates", "imp1"}, []string{"Pairs      1: 0 within the file, 1 with records already in the CRM",
			"| c9 | Nord AG | u-anna | c2 | Nord | u-bo | the CRM | email info@nord.example, name postcode nord 10115 |"}, "pairs", "GET /imports/imp1/duplicates?limit=500"},
		{"config list", []string{"config", "list"}, []string{"| customers-de | customers | update |"}, "configs", "GET /configs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := signedIn(t, answers)
			code, out, errOut := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("crmimport %v = %d (%s), want 0", tt.args, code, errOut)
			}
			for _, w := range tt.want {
				if !contains(out, w) {
					t.Errorf("crmimport %v printed\n%s\nwant a line %q", tt.args, out, w)
				}
			}
			if sent := fake.sent(); len(sent) != 1 || sent[0] != tt.wantAsked {
				t.Errorf("crmimport %v asked %q, want %q", tt.args, sent, tt.wantAsked)
			}

			code, out, errOut = run(t, append(tt.args, "--json")...)
			var got map[string]any
			if code != ExitOK || json.Unmarshal([]byte(out), &got) != nil || got[tt.wantJSON] == nil {
				t.Errorf("crmimport %v --json = %d %s (%s), want JSON with %q", tt.args, code, out, errOut, tt.wantJSON)
			}
		})
	}
}

// TestWizardCommandsSendTheirAnswers: select, decide and resume post the
// contract's bodies and print the import they answer.
func TestWizardCommandsSendTheirAnswers(t *testing.T) {
	waiting := importWith("WAITING", 0, 11, `,"attended":true,"waiting":{"for":"decision","user":{"id":"u-anna","email":"anna@example.com","rows":5},"since":"2026-12-01T10:00:00Z","expiresAt":"2026-12-08T10:00:00Z"}`)
	answers := map[string][]reply{
		"POST /imports/imp1/selection": answer(waiting),
		"POST /imports/imp1/decision":  answer(waiting),
		"POST /imports/imp1/resume":    answer(waiting),
	}
	cfg := writeFile(t, "keep-city.json", `{"version":1,"entity":"customers"}`)
	tests := []struct {
		name string
		args []string
		sent string
	}{
		{"select excluding two", []string{"select", "imp1", "--exclude", "bo@example.com", "--exclude", "u-cy"}, `POST /imports/imp1/selection {"exclude":["bo@example.com","u-cy"]}`},
		{"select with commas", []string{"select", "imp1", "--exclude", "bo@example.com,u-cy"}, `POST /imports/imp1/selection {"exclude":["bo@example.com","u-cy"]}`},
		{"select excluding nobody", []string{"select", "imp1"}, `POST /imports/imp1/selection {"exclude":[]}`},
		{"decide import", []string{"decide", "imp1", "import", "--user", "u-anna"}, `POST /imports/imp1/decision {"decision":"import","user":"u-anna"}`},
		{"decide skip for a user", []string{"decide", "imp1", "skip", "--user", "u-anna"}, `POST /imports/imp1/decision {"decision":"skip","user":"u-anna"}`},
		{"decide import-all", []string{"decide", "imp1", "import-all", "--user", "anna@example.com"}, `POST /imports/imp1/decision {"decision":"import-all","user":"anna@example.com"}`},
		{"decide back", []string{"decide", "imp1", "back", "--user", "u-anna"}, `POST /imports/imp1/decision {"decision":"back","user":"u-anna"}`},
		{"resume with a saved configuration", []string{"resume", "imp1", "--config", "keep-city"}, `POST /imports/imp1/resume {"action":"continue","config":"keep-city"}`},
		{"resume with a configuration file", []string{"resume", "imp1", "--config-file", cfg}, `POST /imports/imp1/resume {"action":"continue","inlineConfig":{"version":1,"entity":"customers"}}`},
		{"resume with the same settings", []string{"resume", "imp1", "--same"}, `POST /imports/imp1/resume {"action":"continue"}`},
		{"stop", []string{"resume", "imp1", "--stop"}, `POST /imports/imp1/resume {"action":"stop"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := signedIn(t, answers)
			code, out, errOut := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("crmimport %v = %d (%s), want 0", tt.args, code, errOut)
			}
			if sent := fake.sent(); len(sent) != 1 || sent[0] != tt.sent {
				t.Errorf("crmimport %v sent %q, want %q", tt.args, sent, tt.sent)
			}
			if want := "Waits for  a decision on anna@example.com's 5 rows"; !strings.Contains(out, want) {
				t.Errorf("crmimport %v printed\n%s\nwant %q", tt.args, out, want)
			}
		})
	}
}

// TestWrongUsageSendsNothing: a decision that is not one, or resume with
// two choices, is refused (exit 3) before any request.
func TestWrongUsageSendsNothing(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"decide", "imp1", "maybe"}, `"maybe" is not a decision: say import, skip, import-all or back`},
		{[]string{"resume", "imp1", "--config", "a", "--stop"}, "give one of --config, --config-file and --stop"},
		{[]string{"upload", "x.csv"}, "say what the file holds with --entity"},
		{[]string{"upload", "x.csv", "--entity", "customers", "--config", "a", "--config-file", "b"}, "give --config or --config-file, not both"},
	}
	for _, tt := range tests {
		fake := signedIn(t, nil)
		code, _, errOut := run(t, tt.args...)
		if code != ExitFailure || !strings.Contains(errOut, tt.want) || len(fake.sent()) != 0 {
			t.Errorf("crmimport %v = %d %q after %d requests, want %d %q and none", tt.args, code, errOut, len(fake.sent()), ExitFailure, tt.want)
		}
	}
}

// TestAPIErrorsEndWithTheirExitCode: each status of the contract ends the
// command with its documented exit code and the API's message.
func TestAPIErrorsEndWithTheirExitCode(t *testing.T) {
	tests := []struct {
		name    string
		replies []reply
		code    int
		want    string
	}{
		{"not found", failing(404, "not_found", "import imp1 does not exist"), ExitNotFound, "crmimport: import imp1 does not exist"},
		{"conflict", failing(409, "conflict", "the import is still APPLYING: its summary is written when it ends"), ExitConflict, "the import is still APPLYING"},
		{"refused", failing(403, "refused", "only administrators and supervisors may run an import over many users"), ExitForbidden, "only administrators"},
		{"invalid", failing(400, "invalid", `limit must be a whole number from 1 to 1000, not "0"`), ExitFailure, "limit must be"},
		{"unavailable", failing(503, "unavailable", "the service is busy; please try again"), ExitFailure, "please try again"},
		{"the token refused", []reply{{status: 401, body: `{"message":"Unauthorized"}`}}, ExitNotSignedIn, "crmimport: Unauthorized (run crmimport login)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signedIn(t, map[string][]reply{"GET /imports/imp1/summary": tt.replies})
			code, out, errOut := run(t, "summary", "imp1")
			if code != tt.code || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("crmimport summary imp1 = %d, stdout %q, stderr %q, want %d and %q", code, out, errOut, tt.code, tt.want)
			}
		})
	}
}

// TestNotSignedIn: without a login, a command of the API exits 4 and says
// to log in, sending nothing.
func TestNotSignedIn(t *testing.T) {
	isolate(t)
	code, _, errOut := run(t, "imports", "--api-url", "http://127.0.0.1:1")
	if code != ExitNotSignedIn || !strings.Contains(errOut, "not signed in (profile default): run crmimport login") {
		t.Errorf("crmimport imports = %d %q, want %d and a word to log in", code, errOut, ExitNotSignedIn)
	}
	code, _, errOut = run(t, "imports")
	if code != ExitFailure || !strings.Contains(errOut, "the API's URL is not set") {
		t.Errorf("crmimport imports without a URL = %d %q, want %d and a word on the URL", code, errOut, ExitFailure)
	}
	code, _, errOut = run(t, "login", "--api-url", "http://127.0.0.1:1", "--password-stdin")
	if code != ExitFailure || !strings.Contains(errOut, "CRMIMPORT_CLIENT_ID") {
		t.Errorf("crmimport login without a client = %d %q, want %d naming CRMIMPORT_CLIENT_ID", code, errOut, ExitFailure)
	}
}

// TestStatusWatchFollowsTheImportToItsEnd: --watch asks until the import
// ends or waits for the tenant, and its exit code says how it ended.
func TestStatusWatchFollowsTheImportToItsEnd(t *testing.T) {
	tests := []struct {
		name    string
		replies []string
		code    int
		want    string
	}{
		{"to success", []string{importWith("VALIDATING", 0, 0, ""), importWith("APPLYING", 4, 11, ""), importWith("APPLYING", 9, 11, ""), doneImport}, ExitOK, "Status     SUCCEEDED"},
		{"to a wait for the tenant", []string{importWith("SPLITTING", 0, 0, ""), importWith("WAITING", 0, 11, `,"waiting":{"for":"selection","since":"2026-12-01T10:00:00Z","expiresAt":"2026-12-08T10:00:00Z"}`)}, ExitOK, "Waits for  the selection of users"},
		{"to a failure", []string{importWith("APPLYING", 4, 11, ""), importWith("FAILED", 4, 11, `,"reason":"the import took too long and was stopped"`)}, ExitImportFailed, "Reason     the import took too long and was stopped"},
		{"an import that expired", []string{importWith("EXPIRED", 0, 11, `,"reason":"nobody decided within 7 days"`)}, ExitImportFailed, "Status     EXPIRED"},
		{"to a stop", []string{importWith("APPLYING", 4, 11, ""), importWith("STOPPED", 5, 11, "")}, ExitOK, "Status     STOPPED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var replies []reply
			for _, r := range tt.replies {
				replies = append(replies, reply{status: 200, body: r})
			}
			fake := signedIn(t, map[string][]reply{"GET /imports/imp1": replies})
			code, out, errOut := run(t, "status", "imp1", "--watch", "--interval", "1ms")
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("crmimport status --watch = %d\n%s%s\nwant %d and %q", code, out, errOut, tt.code, tt.want)
			}
			if n := len(fake.sent()); n != len(tt.replies) {
				t.Errorf("crmimport status --watch asked %d times, want %d", n, len(tt.replies))
			}
		})
	}
}

// TestUploadCreatesTheImportAndSendsTheFile: upload asks for the import
// with the file's name and size, posts the file to the presigned URL,
// shows progress on stderr (a terminal's), and prints the id.
func TestUploadCreatesTheImportAndSendsTheFile(t *testing.T) {
	showBars = func(io.Writer) bool { return true }
	t.Cleanup(func() { showBars = isTerminal })
	created := `{"import":` + importWith("UPLOADING", 0, 0, "") + `,"upload":{"url":"{{url}}/s3","method":"POST","fields":{"key":"incoming/acme/customers/imp1/customers.csv","x-amz-meta-import-id":"imp1"},"maxBytes":1048576,"expiresAt":"2026-12-01T10:15:00Z"}}`
	fake := signedIn(t, map[string][]reply{"POST /imports": answer(created), "POST /s3": {{status: 204}}})
	file := writeFile(t, "customers.csv", strings.Repeat("Kundennummer;Name\n0042;Müller GmbH\n", 1000))
	code, out, errOut := run(t, "upload", file, "--entity", "customers", "--config", "customers-de")
	if code != ExitOK || out != "imp1\n" {
		t.Fatalf("crmimport upload = %d %q (%s), want 0 and the id", code, out, errOut)
	}
	want := []string{`POST /imports {"entity":"customers","config":"customers-de","fileName":"customers.csv","size":36000}`, "POST /s3"}
	if sent := fake.sent(); strings.Join(sent, "\n") != strings.Join(want, "\n") {
		t.Errorf("crmimport upload sent %q, want %q", sent, want)
	}
	if !strings.Contains(errOut, "uploading customers.csv") {
		t.Errorf("crmimport upload stderr = %q, want a progress bar", errOut)
	}
}

func TestProgressBarsStayOffStderrThatIsNoTerminal(t *testing.T) {
	created := `{"import":` + importWith("UPLOADING", 0, 0, "") + `,"upload":{"url":"{{url}}/s3","method":"POST","fields":{"key":"incoming/acme/customers/imp1/customers.csv"},"maxBytes":1048576,"expiresAt":"2026-12-01T10:15:00Z"}}`
	signedIn(t, map[string][]reply{"POST /imports": answer(created), "POST /s3": {{status: 204}}})
	file := writeFile(t, "customers.csv", "Kundennummer;Name\n0042;Müller GmbH\n")
	if code, out, errOut := run(t, "upload", file, "--entity", "customers"); code != ExitOK || out != "imp1\n" || errOut != "" {
		t.Errorf("crmimport upload to a buffer = %d %q, stderr %q, want 0, the id and nothing on stderr", code, out, errOut)
	}
}

// TestErrorsAndConfigFiles: errors -o and config download write files;
// config get prints the JSON as saved; put, upload and delete send theirs.
func TestErrorsAndConfigFiles(t *testing.T) {
	const csv = "row,column,value,reason\n3,PLZ,x,is not a postcode\n"
	const saved = "{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}"
	fake := signedIn(t, map[string][]reply{
		"GET /imports/imp1/errors":       {{status: 200, body: csv, headers: map[string]string{"Content-Type": "text/csv", "Content-Disposition": `attachment; filename="errors-imp1.csv"`}}},
		"GET /configs/customers-de":      answer(saved),
		"GET /configs/customers-de/file": {{status: 200, body: saved, headers: map[string]string{"Content-Disposition": `attachment; filename="customers-de.json"`}}},
		"PUT /configs/customers-de":      answer(`{"name":"customers-de"}`),
		"PUT /configs/keep-city":         answer(`{"name":"keep-city"}`),
		"DELETE /configs/customers-de":   answer(`{"name":"customers-de","deleted":true}`),
		"GET /configs/only-json":         answer(saved),
		"GET /configs/missing/file":      failing(404, "not_found", `there is no saved import configuration named "missing"`),
	})
	dir := t.TempDir()
	t.Chdir(dir)

	out := filepath.Join(dir, "errors.csv")
	if code, _, errOut := run(t, "errors", "imp1", "-o", out); code != ExitOK || readString(t, out) != csv {
		t.Errorf("crmimport errors -o = %d (%s), file %q, want 0 and %q", code, errOut, readString(t, out), csv)
	}
	if code, stdout, _ := run(t, "errors", "imp1"); code != ExitOK || stdout != csv {
		t.Errorf("crmimport errors = %d %q, want the CSV on stdout", code, stdout)
	}
	if code, stdout, _ := run(t, "config", "get", "customers-de"); code != ExitOK || stdout != saved+"\n" {
		t.Errorf("crmimport config get = %d %q, want the JSON as saved", code, stdout)
	}
	if code, _, errOut := run(t, "config", "download", "customers-de"); code != ExitOK || readString(t, filepath.Join(dir, "customers-de.json")) != saved {
		t.Errorf("crmimport config download = %d (%s), want customers-de.json as saved", code, errOut)
	}
	// An API without the download route yet: the same bytes from GET /configs/{name}.
	if code, _, errOut := run(t, "config", "download", "only-json", "-o", "x.json"); code != ExitOK || readString(t, filepath.Join(dir, "x.json")) != saved {
		t.Errorf("crmimport config download (no route) = %d (%s), want x.json as saved", code, errOut)
	}
	if code, _, errOut := run(t, "config", "download", "missing"); code != ExitNotFound || !strings.Contains(errOut, `no saved import configuration named "missing"`) {
		t.Errorf("crmimport config download missing = %d %q, want %d", code, errOut, ExitNotFound)
	}
	file := writeFile(t, "keep-city.json", `{"version":1,"entity":"customers"}`)
	if code, stdout, _ := run(t, "config", "put", "customers-de", file); code != ExitOK || stdout != "Saved customers-de\n" {
		t.Errorf("crmimport config put = %d %q, want Saved", code, stdout)
	}
	if code, stdout, _ := run(t, "config", "upload", file); code != ExitOK || stdout != "Saved keep-city\n" {
		t.Errorf("crmimport config upload = %d %q, want Saved keep-city (the file's name)", code, stdout)
	}
	if code, stdout, _ := run(t, "config", "delete", "customers-de"); code != ExitOK || stdout != "Deleted customers-de\n" {
		t.Errorf("crmimport config delete = %d %q, want Deleted", code, stdout)
	}
	var puts []string
	for _, s := range fake.sent() {
		if strings.HasPrefix(s, "PUT ") {
			puts = append(puts, s)
		}
	}
	want := []string{`PUT /configs/customers-de {"version":1,"entity":"customers"}`, `PUT /configs/keep-city {"version":1,"entity":"customers"}`}
	if strings.Join(puts, "\n") != strings.Join(want, "\n") {
		t.Errorf("PUTs = %q, want %q", puts, want)
	}
}

// TestSettingsComeFromFlagsThenEnvironmentThenTheConfigFile.
func TestSettingsComeFromFlagsThenEnvironmentThenTheConfigFile(t *testing.T) {
	isolate(t)
	s, _ := loadSettings(globals{profile: "work"})
	s.APIURL, s.Cognito = "https://file.example", apiclient.Cognito{ClientID: "file-client", UserPoolID: "eu-central-1_File"}
	if err := s.save(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		env              map[string]string
		flag             string
		api, client, reg string
	}{
		{"the file", nil, "", "https://file.example", "file-client", "eu-central-1"},
		{"the local cloud's env over the file", map[string]string{"API_URL": "http://127.0.0.1:4566/_api/x", "USER_POOL_CLIENT_ID": "local"}, "", "http://127.0.0.1:4566/_api/x", "local", "eu-central-1"},
		{"CRMIMPORT_* over the local cloud's", map[string]string{"API_URL": "http://local", "CRMIMPORT_API_URL": "https://env.example/", "CRMIMPORT_CLIENT_ID": "env", "CRMIMPORT_REGION": "us-west-2"}, "", "https://env.example", "env", "us-west-2"},
		{"the flag over all", map[string]string{"CRMIMPORT_API_URL": "https://env.example"}, "https://flag.example", "https://flag.example", "file-client", "eu-central-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Setenv("CRMIMPORT_PROFILE", "work")
			got, err := loadSettings(globals{apiURL: tt.flag})
			if err != nil || got.APIURL != tt.api || got.Cognito.ClientID != tt.client || got.Cognito.Region != tt.reg || got.name != "work" {
				t.Errorf("loadSettings() = %s %s %s (profile %s), %v, want %s %s %s (work)", got.APIURL, got.Cognito.ClientID, got.Cognito.Region, got.name, err, tt.api, tt.client, tt.reg)
			}
		})
	}
	info, err := os.Stat(s.path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("config file %s mode = %v, %v, want 0600: it holds tokens", s.path, info.Mode().Perm(), err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, _ := os.ReadFile(path)
	return string(data)
}

// TestExportDownloadsTheFileFromItsLink: export asks the API for the
// export, then fetches the file from the bucket's link, without the token.
func TestExportDownloadsTheFileFromItsLink(t *testing.T) {
	fake := signedIn(t, map[string][]reply{
		"GET /exports/customers":               answer(`{"entity":"customers","format":"csv","fileName":"customers-1.csv","records":2,"users":1,"url":"{{url}}/s3/exports/acme/customers-1.csv"}`),
		"GET /s3/exports/acme/customers-1.csv": {{status: 200, body: "ID crm-import,Name\nr1,A\nr2,B\n"}},
	})
	out := filepath.Join(t.TempDir(), "mine.csv")
	code, stdout, errOut := run(t, "export", "customers", "--format", "csv", "--user", "anna@example.com", "-o", out)
	if code != ExitOK {
		t.Fatalf("crmimport export = %d (%s), want 0", code, errOut)
	}
	if data, _ := os.ReadFile(out); string(data) != "ID crm-import,Name\nr1,A\nr2,B\n" {
		t.Errorf("file = %q, want the export's bytes", data)
	}
	if !contains(stdout, "Wrote "+out+": 2 records of 1 user") {
		t.Errorf("stdout = %q, want what was written", stdout)
	}
	want := []string{"GET /exports/customers?format=csv&user=anna%40example.com", "GET /s3/exports/acme/customers-1.csv"}
	if got := fake.sent(); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}
