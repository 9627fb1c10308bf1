package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestAnswersTheImportDoesNotWaitForSayWhatItWaitsFor: every answer the
// import does not wait for, and every preview it has not made, is told in
// the tenant's words what the import waits for or does, with no HTTP path
// or query parameter in them (the browser page shows them as they are).
func TestAnswersTheImportDoesNotWaitForSayWhatItWaitsFor(t *testing.T) {
	boWait := &crm.Wait{For: crm.ForDecision, Token: "tok-b", User: &crm.UserRef{ID: wBo.ID, Email: wBo.Email, Rows: 1}}
	anna := `"user":"u-anna"`
	tests := []struct {
		name       string
		wait       *crm.Wait
		status     crm.Status
		users      map[string]crm.UserStatus
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		want       string // a part of the message
		notWant    string // what the message must not say
	}{
		{"a decision naming no user is 400", decisionWait, "", nil,
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import"}`), 400,
			"say which user the decision is for", ""},
		{"a decision sent again on a user already imported names both users", boWait, "", map[string]crm.UserStatus{wAnna.ID: crm.UserImported},
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import",`+anna+`}`), 409,
			"the user in turn is bo@acme.example, not anna@acme.example: the decision on anna@acme.example was already made (anna@acme.example was imported); nothing was decided now: look at the preview of bo@acme.example, then decide on it", ""},
		{"a decision by e-mail on a user whose turn has not come", decisionWait, "", nil,
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"skip","user":"BO@acme.example"}`), 409,
			"bo@acme.example's turn has not come yet", ""},
		{"a decision on someone not of the import is 400", decisionWait, "", nil,
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"skip","user":"zed@acme.example"}`), 400,
			`"zed@acme.example" is not one of the users of this import: the import waits for a decision on anna@acme.example`, ""},
		{"a decision before the selection says to choose the users", &crm.Wait{For: crm.ForSelection, Token: "tok-s"}, "", nil,
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import",`+anna+`}`), 409,
			"the import waits for the selection of its users, not for a decision: choose the users to import first", crm.WaitEnded},
		{"resume before back says it comes after back", decisionWait, "", nil,
			post("POST /imports/{id}/resume", "imp-w", "acme", `{"action":"stop"}`), 409,
			"the import waits for a decision on anna@acme.example, not for what to do after back", crm.WaitEnded},
		{"a selection before the file is split says to wait", nil, crm.Splitting, nil,
			post("POST /imports/{id}/selection", "imp-w", "acme", `{"exclude":[]}`), 409,
			"the import is still SPLITTING", crm.WaitEnded},
		{"a decision after the end says it has ended", nil, crm.Succeeded, nil,
			post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import",`+anna+`}`), 409,
			"the import has ended (SUCCEEDED) and waits for nothing more", ""},
		{"a selection naming no user of the import", &crm.Wait{For: crm.ForSelection, Token: "tok-s"}, "", nil,
			post("POST /imports/{id}/selection", "imp-w", "acme", `{"exclude":["zed@acme.example"]}`), 400,
			`"zed@acme.example" is not one of the users of this import: exclude a user by the id or e-mail its list of users shows`, ""},
		{"the preview in turn while it is being made is a conflict naming the user", nil, crm.Previewing, map[string]crm.UserStatus{wAnna.ID: crm.UserPreviewing},
			post("GET /imports/{id}/preview", "imp-w", "acme", ""), 409,
			"the preview of anna@acme.example is being made: wait a moment and ask again", ""},
		{"the preview in turn while the import waits for the selection says so", &crm.Wait{For: crm.ForSelection, Token: "tok-s"}, "", nil,
			post("GET /imports/{id}/preview", "imp-w", "acme", ""), 409,
			"the import waits for the selection of its users", ""},
		{"the preview in turn while the import applies", nil, crm.Applying, map[string]crm.UserStatus{wAnna.ID: crm.UserImported},
			post("GET /imports/{id}/preview", "imp-w", "acme", ""), 409,
			"the preview of the next user is made after that", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWizardWorld(t, tt.wait)
			ctx := context.Background()
			if tt.status != "" {
				w.jobs.Update(ctx, "acme", "imp-w", crm.JobChange{Status: tt.status})
			}
			for u, st := range tt.users {
				w.jobs.SetUserStatus(ctx, "acme", "imp-w", u, st)
			}
			resp, err := w.h.Handle(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var e struct{ Message string }
			json.Unmarshal([]byte(resp.Body), &e)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(e.Message, tt.want) || (tt.notWant != "" && strings.Contains(e.Message, tt.notWant)) {
				t.Errorf("%s = %d %q, want %d saying %q and not %q", tt.req.RouteKey, resp.StatusCode, e.Message, tt.wantStatus, tt.want, tt.notWant)
			}
			for _, path := range []string{"/imports", "?", "GET ", "POST ", "crmimport"} {
				if strings.Contains(e.Message, path) {
					t.Errorf("%s = %q, want no %q in the tenant's words", tt.req.RouteKey, e.Message, path)
				}
			}
			if n := len(w.workflow.Answers()); n != 0 {
				t.Errorf("%s sent %d answers, want none", tt.req.RouteKey, n)
			}
		})
	}
}

// TestResultsCountTheRowsOfUsersNotImportedAsSkipped: a skipped or
// excluded user's rows are counted, their valid ones as skipped, so the
// results add up to the rows as the import's total does.
func TestResultsCountTheRowsOfUsersNotImportedAsSkipped(t *testing.T) {
	w := newWizardWorld(t, nil)
	ctx := context.Background()
	w.jobs.SetUserStatus(ctx, "acme", "imp-w", wAnna.ID, crm.UserSkipped)
	w.jobs.SetUserStatus(ctx, "acme", "imp-w", wBo.ID, crm.UserExcluded)
	resp, _ := w.h.Handle(ctx, post("GET /imports/{id}/results", "imp-w", "acme", ""))
	var got struct {
		Users []resultView `json:"users"`
	}
	json.Unmarshal([]byte(resp.Body), &got)
	want := map[string]crm.Counts{wAnna.ID: {Rows: 2, Skipped: 2}, wBo.ID: {Rows: 1, Skipped: 1}}
	if len(got.Users) != 2 {
		t.Fatalf("GET results = %d %s, want both users", resp.StatusCode, resp.Body)
	}
	for _, r := range got.Users {
		if r.Counts != want[r.User.ID] {
			t.Errorf("GET results of %s (%s) = %+v, want %+v", r.User.ID, r.Status, r.Counts, want[r.User.ID])
		}
	}
}
