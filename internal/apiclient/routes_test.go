package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
)

const importJSON = `{"id":"imp1","entity":"customers","file":"agents.xlsx","status":"WAITING","users":3,
	"counts":{"rows":12,"invalid":1,"created":0,"updated":0,"unchanged":0,"deleted":0,"skipped":0,"failed":0},
	"done":0,"total":11,"attended":true,
	"waiting":{"for":"decision","user":{"id":"u-anna","email":"anna@example.com","name":"Anna","rows":5},"since":"2026-12-01T10:00:00Z","expiresAt":"2026-12-08T10:00:00Z"},
	"createdAt":"2026-12-01T09:59:00Z","updatedAt":"2026-12-01T10:00:00Z"}`

func wantImport() Import {
	return Import{
		ID: "imp1", Entity: "customers", File: "agents.xlsx", Status: crm.Waiting, Users: 3,
		Counts: crm.Counts{Rows: 12, Invalid: 1}, Total: 11, Attended: true,
		Waiting: &Waiting{For: ForDecision, User: &User{ID: "u-anna", Email: "anna@example.com", Name: "Anna", Rows: 5},
			Since: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)},
		CreatedAt: time.Date(2026, 12, 1, 9, 59, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
	}
}

// TestEachRouteSendsTheContractsRequestAndReadsItsAnswer: every method
// calls its route with the method, path, query and body of the contract,
// with the token, and decodes the contract's answer.
func TestEachRouteSendsTheContractsRequestAndReadsItsAnswer(t *testing.T) {
	next := 100
	tests := []struct {
		name   string
		route  string // the fake's "METHOD /path"
		answer string
		do     func(context.Context, *Client) (any, error)
		query  string
		body   string // JSON, compared as values; "" for none
		want   any
	}{
		{
			name: "create an import", route: "POST /imports",
			answer: `{"import":` + importJSON + `,"upload":{"url":"https://bucket.s3.amazonaws.com/","method":"POST","fields":{"key":"incoming/acme/customers/imp1/agents.xlsx","x-amz-meta-import-id":"imp1","policy":"p","x-amz-signature":"s"},"maxBytes":1073741824,"expiresAt":"2026-12-01T10:15:00Z"}}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateImport(ctx, NewImport{Entity: "customers", Config: "de", FileName: "agents.xlsx", Size: 12345})
			},
			body: `{"entity":"customers","config":"de","fileName":"agents.xlsx","size":12345}`,
			want: Created{Import: wantImport(), Upload: Upload{URL: "https://bucket.s3.amazonaws.com/", Method: "POST",
				Fields:   Fields{{"key", "incoming/acme/customers/imp1/agents.xlsx"}, {"x-amz-meta-import-id", "imp1"}, {"policy", "p"}, {"x-amz-signature", "s"}},
				MaxBytes: 1 << 30, ExpiresAt: time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)}},
		},
		{
			name: "create an import with an inline configuration", route: "POST /imports",
			answer: `{"import":` + importJSON + `,"upload":{"url":"u","method":"POST","fields":{},"maxBytes":1,"expiresAt":"2026-12-01T10:15:00Z"}}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				cr, err := c.CreateImport(ctx, NewImport{Entity: "customers", InlineConfig: json.RawMessage(`{"version":1,"entity":"customers"}`), FileName: "a.csv", Size: 1})
				return cr.Import.ID, err
			},
			body: `{"entity":"customers","inlineConfig":{"version":1,"entity":"customers"},"fileName":"a.csv","size":1}`,
			want: "imp1",
		},
		{
			name: "list a page of imports", route: "GET /imports",
			answer: `{"imports":[` + importJSON + `],"next":"tok2"}`,
			do:     func(ctx context.Context, c *Client) (any, error) { return c.Imports(ctx, 20, "tok1") },
			query:  "limit=20&next=tok1",
			want:   ImportList{Imports: []Import{wantImport()}, Next: "tok2"},
		},
		{
			name: "get an import", route: "GET /imports/imp1", answer: importJSON,
			do:   func(ctx context.Context, c *Client) (any, error) { return c.Import(ctx, "imp1") },
			want: wantImport(),
		},
		{
			name: "get a page of the report", route: "GET /imports/imp1/report",
			answer: `{"format":"csv","encoding":"utf-8","delimiter":";","rows":12,"rowsWithErrors":1,"mapping":[{"index":0,"title":"Name","field":"name","how":"title"}],"unmapped":["Notiz"],"warnings":[],"missing":[],
				"errors":[{"row":3,"column":"PLZ","field":"postcode","value":"x","reason":"is not a postcode"}],"total":1,"errorCount":1,"offset":0,"limit":100}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Report(ctx, "imp1", Page{Offset: 100, Limit: 50})
			},
			query: "limit=50&offset=100",
			want: Report{Format: "csv", Encoding: "utf-8", Delimiter: ";", Rows: 12, RowsWithErrors: 1,
				Mapping:  mappingOf(0, "Name", "name", "title"),
				Unmapped: []string{"Notiz"}, Warnings: []string{}, Missing: []string{},
				Errors: []crm.RowError{{Row: 3, Column: "PLZ", Field: "postcode", Value: "x", Reason: "is not a postcode"}}, Total: 1, ErrorCount: 1, Limit: 100},
		},
		{
			name: "get the users", route: "GET /imports/imp1/users",
			answer: `{"users":[{"id":"u-anna","email":"anna@example.com","name":"Anna","rows":5,"status":"pending"}],"unmatched":[{"value":"jane@x","rows":3}],"unassigned":2}`,
			do:     func(ctx context.Context, c *Client) (any, error) { return c.Users(ctx, "imp1") },
			want:   Users{Users: []User{{ID: "u-anna", Email: "anna@example.com", Name: "Anna", Rows: 5, Status: "pending"}}, Unmatched: []Unmatched{{Value: "jane@x", Rows: 3}}, Unassigned: 2},
		},
		{
			name: "post the selection", route: "POST /imports/imp1/selection", answer: importJSON,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Select(ctx, "imp1", []string{"bo@example.com", "u-cy"})
			},
			body: `{"exclude":["bo@example.com","u-cy"]}`,
			want: wantImport(),
		},
		{
			name: "post a selection that excludes nobody", route: "POST /imports/imp1/selection", answer: importJSON,
			do:   func(ctx context.Context, c *Client) (any, error) { return c.Select(ctx, "imp1", nil) },
			body: `{"exclude":[]}`,
			want: wantImport(),
		},
		{
			name: "get a user's preview", route: "GET /imports/imp1/preview",
			answer: `{"user":{"id":"u-anna","email":"anna@example.com","rows":5},"counts":{"create":2,"update":1,"unchanged":1,"delete":0,"errors":1},"matched":2,
				"sample":[{"row":4,"action":"update","id":"c1","changes":[{"field":"city","old":"Köln","new":"Bonn"}]}],
				"rows":[{"row":2,"action":"create"}],"total":5,"nextOffset":100}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Preview(ctx, "imp1", "u-anna", Page{Limit: 1})
			},
			query: "limit=1&user=u-anna",
			want: Preview{User: User{ID: "u-anna", Email: "anna@example.com", Rows: 5}, Counts: PlanCounts{Create: 2, Update: 1, Unchanged: 1, Errors: 1}, Matched: 2,
				Sample: []PlannedRow{{Row: 4, Action: "update", ID: "c1", Changes: []Change{{Field: "city", Old: "Köln", New: "Bonn"}}}},
				Rows:   []PlannedRow{{Row: 2, Action: "create"}}, Total: 5, NextOffset: &next},
		},
		{
			name: "post a decision", route: "POST /imports/imp1/decision", answer: importJSON,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Decide(ctx, "imp1", Decision{Decision: DecideImportAll, User: "u-anna"})
			},
			body: `{"decision":"import-all","user":"u-anna"}`,
			want: wantImport(),
		},
		{
			name: "resume with a saved configuration", route: "POST /imports/imp1/resume", answer: importJSON,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Resume(ctx, "imp1", Resume{Action: "continue", Config: "keep-city"})
			},
			body: `{"action":"continue","config":"keep-city"}`,
			want: wantImport(),
		},
		{
			name: "stop after back", route: "POST /imports/imp1/resume", answer: importJSON,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Resume(ctx, "imp1", Resume{Action: "stop"})
			},
			body: `{"action":"stop"}`,
			want: wantImport(),
		},
		{
			name: "undo, forced", route: "POST /imports/imp1/undo",
			answer: `{"importId":"imp1","dryRun":false,"forced":true,"deleted":1,"restored":2,"already":0,"conflictsTotal":1,
				"conflicts":[{"user":"u-anna","entity":"customers","id":"c-1","now":{"name":"By hand"},"undo":{"name":"Old"},"forced":true,"reason":"changed since the import"}],
				"undone":{"at":"2026-12-01T10:00:00Z","by":"admin@example.com","forced":true,"deleted":1,"restored":2,"conflicts":1}}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				return c.Undo(ctx, "imp1", UndoRequest{Confirm: true, Force: true})
			},
			body: `{"confirm":true,"force":true}`,
			want: Undo{ImportID: "imp1", Forced: true, Deleted: 1, Restored: 2, ConflictsTotal: 1,
				Conflicts: []UndoConflict{{User: "u-anna", Entity: "customers", ID: "c-1", Now: map[string]string{"name": "By hand"}, Undo: map[string]string{"name": "Old"}, Forced: true, Reason: "changed since the import"}},
				Undone:    &crm.Undone{At: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), By: "admin@example.com", Forced: true, Deleted: 1, Restored: 2, Conflicts: 1}},
		},
		{
			name: "get the results", route: "GET /imports/imp1/results",
			answer: `{"users":[{"user":{"id":"u-anna","email":"anna@example.com","rows":5,"status":"imported"},"status":"imported","counts":{"rows":5,"created":5}},{"user":{"id":"u-bo","email":"bo@example.com","rows":2,"status":"excluded"},"status":"excluded","counts":{}}]}`,
			do:     func(ctx context.Context, c *Client) (any, error) { return c.Results(ctx, "imp1") },
			want: []Result{
				{User: User{ID: "u-anna", Email: "anna@example.com", Rows: 5, Status: "imported"}, Status: "imported", Counts: crm.Counts{Rows: 5, Created: 5}},
				{User: User{ID: "u-bo", Email: "bo@example.com", Rows: 2, Status: "excluded"}, Status: "excluded"},
			},
		},
		{
			name: "get the summary", route: "GET /imports/imp1/summary",
			answer: `{"id":"imp1","status":"SUCCEEDED","counts":{"rows":5,"created":5},"users":[{"id":"u-anna","email":"anna@example.com","rows":5,"counts":{"rows":5,"created":5}}],"hasErrorFile":true}`,
			do:     func(ctx context.Context, c *Client) (any, error) { return c.Summary(ctx, "imp1") },
			want: Summary{ID: "imp1", Status: crm.Succeeded, Counts: crm.Counts{Rows: 5, Created: 5},
				Users: []UserSummary{{ID: "u-anna", Email: "anna@example.com", Rows: 5, Counts: crm.Counts{Rows: 5, Created: 5}}}, HasErrorFile: true},
		},
		{
			name: "list the configurations", route: "GET /configs",
			answer: `{"configs":[{"name":"de","entity":"customers","mode":"update"}]}`,
			do:     func(ctx context.Context, c *Client) (any, error) { return c.Configs(ctx) },
			want:   []ConfigSummary{{Name: "de", Entity: "customers", Mode: crm.Mode("update")}},
		},
		{
			name: "get a configuration byte for byte", route: "GET /configs/de",
			answer: "{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}",
			do: func(ctx context.Context, c *Client) (any, error) {
				raw, err := c.Config(ctx, "de")
				return string(raw), err
			},
			want: "{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}",
		},
		{
			name: "put a configuration as its bytes", route: "PUT /configs/de", answer: `{"name":"de"}`,
			do: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.PutConfig(ctx, "de", []byte(`{"version":1,"entity":"customers"}`))
			},
			body: `{"version":1,"entity":"customers"}`,
		},
		{
			name: "delete a configuration", route: "DELETE /configs/de", answer: `{"name":"de","deleted":true}`,
			do: func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteConfig(ctx, "de") },
		},
		{
			name: "a path segment is escaped", route: "GET /imports/a%2Fb", answer: importJSON,
			do:   func(ctx context.Context, c *Client) (any, error) { return c.Import(ctx, "a/b") },
			want: wantImport(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path, _ := cut(tt.route)
			fake, c := newFakeAPI(t, map[string]answer{tt.route: ok(tt.answer)})
			got, err := tt.do(context.Background(), c)
			if err != nil {
				t.Fatalf("%s = %v, want no error", tt.route, err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s answered (-want +got):\n%s", tt.route, diff)
				}
			}
			sent := fake.last()
			if sent.Method != method || sent.Path != path || sent.Query != tt.query || sent.Auth != "Bearer id-token" {
				t.Errorf("request = %s %s?%s (%s), want %s %s?%s (Bearer id-token)", sent.Method, sent.Path, sent.Query, sent.Auth, method, path, tt.query)
			}
			if tt.body != "" {
				if !sameJSON(t, sent.Body, tt.body) || sent.ContentType != "application/json" {
					t.Errorf("body = %s (%s), want %s (application/json)", sent.Body, sent.ContentType, tt.body)
				}
			} else if sent.Body != "" {
				t.Errorf("body = %s, want none", sent.Body)
			}
		})
	}
}

// TestDownloadsWriteTheFileAndNameIt: the error file, a configuration as a
// file and a template are copied to the writer with the name the API
// gives in Content-Disposition.
func TestDownloadsWriteTheFileAndNameIt(t *testing.T) {
	tests := []struct {
		name, route, query, file, content string
		do                                func(context.Context, *Client, *bytes.Buffer) (string, error)
	}{
		{"the error file", "GET /imports/imp1/errors", "", "errors-imp1.csv", "row,column,value,reason\n3,PLZ,x,is not a postcode\n",
			func(ctx context.Context, c *Client, w *bytes.Buffer) (string, error) {
				return c.ErrorFile(ctx, "imp1", w)
			}},
		{"a configuration", "GET /configs/de/file", "", "de.json", `{"version":1}`,
			func(ctx context.Context, c *Client, w *bytes.Buffer) (string, error) {
				return c.DownloadConfig(ctx, "de", w)
			}},
		{"a template", "GET /templates/customers", "format=csv&lang=de", "kunden.csv", "Kundennummer;Name\n",
			func(ctx context.Context, c *Client, w *bytes.Buffer) (string, error) {
				return c.Template(ctx, "customers", "de", "csv", w)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFakeAPI(t, map[string]answer{tt.route: {status: 200, body: tt.content, headers: map[string]string{
				"Content-Type": "text/csv", "Content-Disposition": `attachment; filename="` + tt.file + `"`}}})
			var buf bytes.Buffer
			name, err := tt.do(context.Background(), c, &buf)
			if err != nil || name != tt.file || buf.String() != tt.content {
				t.Errorf("%s = %q, %q, %v, want %q, %q", tt.route, name, buf.String(), err, tt.file, tt.content)
			}
			if q := fake.last().Query; q != tt.query {
				t.Errorf("%s query = %q, want %q", tt.route, q, tt.query)
			}
		})
	}
}

// TestErrorsCarryStatusCodeAndTheTenantsMessage: an answer other than 2xx
// is an *Error whose Error() is the API's message; API Gateway's own
// answers (no code) and bodies that are not JSON still say what happened.
func TestErrorsCarryStatusCodeAndTheTenantsMessage(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		want   Error
	}{
		{"not found", answer{404, `{"code":"not_found","message":"import imp1 does not exist"}`, nil}, Error{404, "not_found", "import imp1 does not exist"}},
		{"a decision sent twice", answer{409, `{"code":"conflict","message":"the decision on anna@example.com was already made"}`, nil}, Error{409, "conflict", "the decision on anna@example.com was already made"}},
		{"a bad request", answer{400, `{"code":"invalid","message":"\"maybe\" is not a decision"}`, nil}, Error{400, "invalid", `"maybe" is not a decision`}},
		{"a refusal", answer{403, `{"code":"refused","message":"only administrators and supervisors may change saved configurations"}`, nil}, Error{403, "refused", "only administrators and supervisors may change saved configurations"}},
		{"API Gateway's 401", answer{401, `{"message":"Unauthorized"}`, nil}, Error{401, "", "Unauthorized"}},
		{"a body that is not JSON", answer{502, `<html>Bad Gateway</html>`, map[string]string{"Content-Type": "text/html"}}, Error{502, "", "the API answered 502 Bad Gateway"}},
		{"an empty body", answer{503, ``, nil}, Error{503, "", "the API answered 503 Service Unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newFakeAPI(t, map[string]answer{"GET /imports/imp1": tt.answer})
			_, err := c.Import(context.Background(), "imp1")
			var got *Error
			if !errors.As(err, &got) || *got != tt.want || err.Error() != tt.want.Message {
				t.Errorf("Import(imp1) = %#v, want %#v", err, &tt.want)
			}
		})
	}
}

// TestTokenIsSentAndItsFailureStopsTheCall: the token func's error is the
// call's, and no request is sent without it.
func TestTokenIsSentAndItsFailureStopsTheCall(t *testing.T) {
	fake, c := newFakeAPI(t, map[string]answer{"GET /imports": ok(`{"imports":[]}`)})
	want := &Error{Status: 401, Message: "the session has expired: run crmimport login"}
	c.Token = func(context.Context) (string, error) { return "", want }
	if _, err := c.Imports(context.Background(), 0, ""); err != want {
		t.Errorf("Imports() with a failing token = %v, want %v", err, want)
	}
	if len(fake.calls) != 0 {
		t.Errorf("requests sent = %d, want 0", len(fake.calls))
	}
	c.Token = nil
	if _, err := c.Imports(context.Background(), 0, ""); err != nil || fake.last().Auth != "" {
		t.Errorf("Imports() without a token = %v, Authorization %q, want no header", err, fake.last().Auth)
	}
}

// TestAllImportsFollowsNextToTheLastPage walks three pages.
func TestAllImportsFollowsNextToTheLastPage(t *testing.T) {
	pages := map[string]string{
		"":   `{"imports":[{"id":"c"},{"id":"b"}],"next":"p2"}`,
		"p2": `{"imports":[{"id":"a"}],"next":"p3"}`,
		"p3": `{"imports":[]}`,
	}
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := r.URL.Query().Get("next")
		asked = append(asked, next)
		w.Write([]byte(pages[next]))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL}
	got, err := c.AllImports(context.Background())
	var ids []string
	for _, im := range got {
		ids = append(ids, im.ID)
	}
	if err != nil || !cmp.Equal(ids, []string{"c", "b", "a"}) || !cmp.Equal(asked, []string{"", "p2", "p3"}) {
		t.Errorf("AllImports() = %v, %v after asking for pages %q, want [c b a] after [\"\" p2 p3]", ids, err, asked)
	}
}

// TestEndedStatuses: the wizard's STOPPED and EXPIRED end an import as
// SUCCEEDED and FAILED do; UPLOADING and WAITING do not.
func TestEndedStatuses(t *testing.T) {
	for s, want := range map[crm.Status]bool{crm.Succeeded: true, crm.Failed: true, crm.Stopped: true, crm.Expired: true, crm.Uploading: false, crm.Waiting: false, crm.Applying: false} {
		if got := Ended(s); got != want {
			t.Errorf("Ended(%s) = %v, want %v", s, got, want)
		}
	}
}

func cut(route string) (method, path string, ok bool) {
	for i := range route {
		if route[i] == ' ' {
			return route[:i], route[i+1:], true
		}
	}
	return route, "", false
}

func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return cmp.Equal(va, vb)
}

func mappingOf(index int, title, field, how string) []mapping.Column {
	return []mapping.Column{{Index: index, Title: title, Field: field, How: how}}
}
