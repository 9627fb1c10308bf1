package main

import (
	"slices"
	"strings"
	"testing"
)

const undoDry = `{"importId":"imp1","dryRun":true,"forced":false,"deleted":1,"restored":2,"already":0,"conflictsTotal":1,
	"conflicts":[{"user":"u-anna","entity":"customers","id":"c-1","now":{"name":"By hand","city":"Bonn"},"undo":{"name":"Old","city":"Bonn"},"reason":"changed since the import"}]}`

const undoActed = `{"importId":"imp1","dryRun":false,"forced":true,"deleted":1,"restored":3,"already":0,"conflictsTotal":1,
	"conflicts":[{"user":"u-anna","entity":"customers","id":"c-1","now":{"name":"By hand"},"undo":{"name":"Old"},"forced":true,"reason":"changed since the import"}],
	"undone":{"at":"2026-12-01T10:00:00Z","by":"admin@example.com","forced":true,"deleted":1,"restored":3,"conflicts":1}}`

// TestUndoIsADryRunUnlessYes: undo sends confirm only with --yes, and
// prints the counts and each conflict's differing fields.
func TestUndoIsADryRunUnlessYes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		body string // the request's
		ans  string
		want []string
	}{
		{
			name: "a dry run by default", args: []string{"undo", "imp1"}, body: `{"confirm":false,"force":false}`, ans: undoDry,
			want: []string{"Dry run    nothing is written: run crmimport undo imp1 --yes to undo", "| 1 | 2 | 1 |",
				"left alone; --force takes them back", "| u-anna | customers | c-1 | name | By hand | Old | changed since the import |"},
		},
		{
			name: "--yes --force acts", args: []string{"undo", "imp1", "--yes", "--force"}, body: `{"confirm":true,"force":true}`, ans: undoActed,
			want: []string{"Undone     2026-12-01 10:00:00 by admin@example.com", "| 1 | 3 | 1 |", "taken back (--force)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := signedIn(t, map[string][]reply{"POST /imports/imp1/undo": answer(tt.ans)})
			code, out, errOut := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("crmimport %v = %d (%s), want 0", tt.args, code, errOut)
			}
			for _, w := range tt.want {
				if !contains(out, w) {
					t.Errorf("crmimport %v printed\n%s\nwant %q", tt.args, out, w)
				}
			}
			if strings.Contains(out, "| city |") {
				t.Errorf("crmimport %v lists the unchanged field city:\n%s", tt.args, out)
			}
			if sent := fake.sent(); len(sent) != 1 || sent[0] != "POST /imports/imp1/undo "+tt.body {
				t.Errorf("requests = %q, want the undo with %s", sent, tt.body)
			}
		})
	}
}

func TestUndoOfAnotherRoleIsForbidden(t *testing.T) {
	signedIn(t, map[string][]reply{"POST /imports/imp1/undo": failing(403, "forbidden", "only administrators may undo an import")})
	code, _, errOut := run(t, "undo", "imp1", "--yes")
	if code != ExitForbidden || !strings.Contains(errOut, "only administrators may undo an import") {
		t.Errorf("crmimport undo imp1 --yes = %d %q, want %d", code, errOut, ExitForbidden)
	}
}

// TestUndoYesWaitsForTheWorkflow: the API answers 202 with the run
// RUNNING; undo --yes asks how it stands until it has ended and prints
// what it did as a synchronous undo printed it.
func TestUndoYesWaitsForTheWorkflow(t *testing.T) {
	started := `{"importId":"imp1","dryRun":false,"forced":true,"deleted":0,"restored":0,"already":0,"conflictsTotal":0,"conflicts":[],
	"undo":{"status":"RUNNING","done":0,"total":0,"deleted":0,"restored":0,"conflicts":0,"by":"admin@example.com","at":"2026-12-01T09:59:58Z","forced":true}}`
	running := `{"importId":"imp1","dryRun":false,"forced":true,"deleted":1,"restored":1,"already":0,"conflictsTotal":0,"conflicts":[],
	"undo":{"status":"RUNNING","done":2,"total":5,"deleted":1,"restored":1,"conflicts":0,"by":"admin@example.com","at":"2026-12-01T09:59:58Z","forced":true}}`
	ended := strings.Replace(undoActed, `"undone":`, `"undo":{"status":"SUCCEEDED","done":5,"total":5,"deleted":1,"restored":3,"conflicts":1,"by":"admin@example.com","at":"2026-12-01T09:59:58Z","forced":true,"endedAt":"2026-12-01T10:00:00Z"},"undone":`, 1)
	fake := signedIn(t, map[string][]reply{
		"POST /imports/imp1/undo": {{status: 202, body: started}},
		"GET /imports/imp1/undo":  {{status: 200, body: running}, {status: 200, body: ended}},
	})
	code, out, errOut := run(t, "undo", "imp1", "--yes", "--force", "--interval", "1ms")
	if code != ExitOK {
		t.Fatalf("crmimport undo imp1 --yes --force = %d (%s), want 0", code, errOut)
	}
	for _, w := range []string{"Undone     2026-12-01 10:00:00 by admin@example.com", "| 1 | 3 | 1 |", "taken back (--force)"} {
		if !contains(out, w) {
			t.Errorf("crmimport undo imp1 --yes --force printed\n%s\nwant %q", out, w)
		}
	}
	want := []string{"POST /imports/imp1/undo {\"confirm\":true,\"force\":true}", "GET /imports/imp1/undo", "GET /imports/imp1/undo"}
	if sent := fake.sent(); !slices.Equal(sent, want) {
		t.Errorf("requests = %q, want %q", sent, want)
	}
}

// TestUndoYesOfAFailedRunSaysWhy: a run that ended FAILED exits 8 with
// its reason.
func TestUndoYesOfAFailedRunSaysWhy(t *testing.T) {
	started := `{"importId":"imp1","conflicts":[],"undo":{"status":"RUNNING","done":0,"total":0,"at":"2026-12-01T09:59:58Z"}}`
	failed := `{"importId":"imp1","conflicts":[],"undo":{"status":"FAILED","done":2,"total":5,"at":"2026-12-01T09:59:58Z","reason":"the undo stopped on an internal error after 2 of 5 records"}}`
	signedIn(t, map[string][]reply{
		"POST /imports/imp1/undo": {{status: 202, body: started}},
		"GET /imports/imp1/undo":  {{status: 200, body: failed}},
	})
	code, _, errOut := run(t, "undo", "imp1", "--yes", "--interval", "1ms")
	if code != ExitImportFailed || !strings.Contains(errOut, "the undo stopped on an internal error after 2 of 5 records") {
		t.Errorf("crmimport undo imp1 --yes = %d %q, want %d with the reason", code, errOut, ExitImportFailed)
	}
}
