package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestRestorePointsPrintsTheListAndItsRefusal(t *testing.T) {
	fake := signedIn(t, map[string][]reply{"GET /restore-points": answer(`{"restorePoints":[
		{"import":"imp-2","file":"b.csv","entity":"customers","status":"SUCCEEDED","time":"2026-12-01T10:00:00Z","kind":"export","exportArn":"arn:x","prefix":"restore-points/demo/imp-2"},
		{"import":"imp-1","file":"a.csv","entity":"customers","status":"FAILED","time":"2026-11-30T10:00:00Z","kind":"point-in-time"}]}`)})
	code, out, errOut := run(t, "restore-points")
	if code != ExitOK {
		t.Fatalf("crmimport restore-points = %d (%s), want 0", code, errOut)
	}
	for _, w := range []string{"| 2026-12-01 10:00:00 | imp-2 | customers | b.csv | SUCCEEDED | export |", "| 2026-11-30 10:00:00 | imp-1 | customers | a.csv | FAILED | point-in-time |"} {
		if !contains(out, w) {
			t.Errorf("crmimport restore-points printed\n%s\nwant a line with %q", out, w)
		}
	}
	if sent := fake.sent(); len(sent) != 1 || sent[0] != "GET /restore-points" {
		t.Errorf("crmimport restore-points asked %q, want GET /restore-points", sent)
	}
	code, out, _ = run(t, "restore-points", "--json")
	var got struct {
		RestorePoints []map[string]any `json:"restorePoints"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &got) != nil || len(got.RestorePoints) != 2 {
		t.Errorf("crmimport restore-points --json = %d %s, want the API's two restore points", code, out)
	}

	signedIn(t, map[string][]reply{"GET /restore-points": failing(http.StatusForbidden, "refused", "only administrators may see restore points")})
	code, _, errOut = run(t, "restore-points")
	if code != ExitForbidden || !contains(errOut, "only administrators may see restore points") {
		t.Errorf("crmimport restore-points as a user = %d %q, want %d saying only administrators", code, errOut, ExitForbidden)
	}
}
