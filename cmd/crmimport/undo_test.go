package main

import (
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
