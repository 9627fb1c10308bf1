package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/steps"
)

// undoWorld is acme's ended import imp-b, which created one record, and
// its running import imp-a.
func undoWorld(t *testing.T) (*Handler, *crmtest.Records) {
	t.Helper()
	records := &crmtest.Records{}
	s := crm.Scope{Tenant: "acme", User: "u1", Entity: "customers", ImportID: "imp-b"}
	if err := records.Write(context.Background(), s, []crm.Write{{Kind: crm.WriteCreate, ID: "c1", Row: 2, Fields: map[string]string{"name": "New"}, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	jobs := store(t)
	return &Handler{Jobs: jobs, Records: records, Log: slog.New(slog.DiscardHandler),
		UndoWorkflow: crmtest.NewWorkflow(), UndoRuns: jobs, Files: crmtest.NewFiles()}, records
}

func asAdmin(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
	req.RequestContext.Authorizer.JWT.Claims[GroupsClaim] = "[administrator]"
	req.RequestContext.Authorizer.JWT.Claims[EmailClaim] = "admin@acme.example"
	return req
}

func TestPostUndo(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		tenant  string
		admin   bool
		body    string
		status  int
		message string
		deleted int
		gone    bool
	}{
		{name: "a dry run without a body counts and writes nothing", id: "imp-b", tenant: "acme", admin: true, status: 200, deleted: 1},
		{name: "confirm starts the undo workflow", id: "imp-b", tenant: "acme", admin: true, body: `{"confirm": true}`, status: 202},
		{name: "only administrators", id: "imp-b", tenant: "acme", body: `{"confirm": true}`, status: 403, message: "only administrators may undo an import"},
		{name: "another tenant's import is missing", id: "imp-b", tenant: "globex", admin: true, body: `{"confirm": true}`, status: 404},
		{name: "an import not ended yet", id: "imp-a", tenant: "acme", admin: true, status: 409, message: "once it has ended"},
		{name: "an unknown field is refused", id: "imp-b", tenant: "acme", admin: true, body: `{"confirmed": true}`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, records := undoWorld(t)
			req := post("POST /imports/{id}/undo", tt.id, tt.tenant, tt.body)
			if tt.admin {
				req = asAdmin(req)
			}
			resp, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.message) {
				t.Fatalf("Handle(%s) = %d %s, want %d %q", tt.name, resp.StatusCode, resp.Body, tt.status, tt.message)
			}
			if tt.status == 202 {
				checkUndoStarted(t, h, resp.Body, false)
				return
			}
			if tt.status != 200 {
				return
			}
			var v undoView
			if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
				t.Fatal(err)
			}
			if v.Deleted != tt.deleted {
				t.Errorf("Handle() deleted = %d, want %d", v.Deleted, tt.deleted)
			}
			_, there := records.Get("acme", "u1", "customers", "c1")
			if there == tt.gone {
				t.Errorf("record c1 there = %v after %s", there, tt.name)
			}
			j, _ := h.Jobs.Get(context.Background(), "acme", "imp-b")
			if tt.gone != (j.Undone != nil) || tt.gone && j.Undone.By != "admin@acme.example" {
				t.Errorf("job Undone = %+v, want set by admin: %v", j.Undone, tt.gone)
			}
		})
	}
}

func TestPostUndoAfterTheRetentionIsAConflict(t *testing.T) {
	h, _ := undoWorld(t)
	h.UndoRetention = time.Nanosecond
	resp, err := h.Handle(context.Background(), asAdmin(post("POST /imports/{id}/undo", "imp-b", "acme", `{"confirm": true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 409 || !strings.Contains(resp.Body, "can be undone for 0 days after it was started") {
		t.Errorf("Handle() = %d %s, want 409 naming the retention", resp.StatusCode, resp.Body)
	}
}

// checkUndoStarted: the answer and the job show the run RUNNING, by the
// administrator, and the undo workflow was started for it with the
// import; the API itself wrote nothing (the workflow writes, and sends
// ImportUndone at its end: internal/steps/undo_test.go).
func checkUndoStarted(t *testing.T, h *Handler, body string, force bool) crm.UndoRun {
	t.Helper()
	var v undoView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	j, _ := h.Jobs.Get(context.Background(), "acme", "imp-b")
	run := j.Undo
	if v.Undo == nil || run == nil || v.Undo.Status != crm.UndoRunning || run.Status != crm.UndoRunning || run.By != "admin@acme.example" || run.Forced != force || v.DryRun {
		t.Fatalf("undo run = %+v answered, %+v on the job; want RUNNING by admin@acme.example, forced %v", v.Undo, run, force)
	}
	starts := h.UndoWorkflow.(*crmtest.Workflow).Starts()
	last := starts[len(starts)-1]
	var in steps.UndoState
	if err := json.Unmarshal(last.Input, &in); err != nil {
		t.Fatal(err)
	}
	if last.Name != run.Execution || in.Tenant != "acme" || in.ImportID != "imp-b" || in.Execution != run.Execution || in.Force != force || in.By != "admin@acme.example" {
		t.Errorf("workflow started %s with %+v, want %s for acme's imp-b", last.Name, in, run.Execution)
	}
	if _, there := h.Records.(*crmtest.Records).Get("acme", "u1", "customers", "c1"); !there {
		t.Errorf("record c1 gone: the API wrote the undo itself")
	}
	return *run
}

// TestUndoWhileOneRuns: a second confirm while the run's execution runs
// is a 409 naming the progress; once that execution has stopped without
// ending the run, a confirm starts a new run in its place; GET
// /imports/{id}/undo shows the run.
func TestUndoWhileOneRuns(t *testing.T) {
	h, _ := undoWorld(t)
	confirm := func(body string) (int, string) {
		t.Helper()
		resp, err := h.Handle(context.Background(), asAdmin(post("POST /imports/{id}/undo", "imp-b", "acme", body)))
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Body
	}
	code, body := confirm(`{"confirm": true}`)
	if code != 202 {
		t.Fatalf("confirm = %d %s, want 202", code, body)
	}
	first := checkUndoStarted(t, h, body, false)
	if code, body := confirm(`{"confirm": true, "force": true}`); code != 409 || !strings.Contains(body, "is being undone (0 of 0 records looked at)") {
		t.Errorf("second confirm while it runs = %d %s, want 409 naming the progress", code, body)
	}
	h.UndoWorkflow.(*crmtest.Workflow).SetStatus(first.Execution, crm.ExecutionAborted)
	time.Sleep(2 * time.Millisecond) // a new execution name
	code, body = confirm(`{"confirm": true, "force": true}`)
	if code != 202 {
		t.Fatalf("confirm after the stop = %d %s, want 202", code, body)
	}
	second := checkUndoStarted(t, h, body, true)
	if second.Execution == first.Execution {
		t.Errorf("second run's execution = %s, want a new one", second.Execution)
	}
	resp, err := h.Handle(context.Background(), asAdmin(request("GET /imports/{id}/undo", "/imports/imp-b/undo", map[string]string{"id": "imp-b"}, tenantClaims("acme"))))
	if err != nil {
		t.Fatal(err)
	}
	var v undoView
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || resp.StatusCode != 200 || v.Undo == nil || v.Undo.Execution != "" || v.Undo.Status != crm.UndoRunning || !v.Forced {
		t.Errorf("GET /imports/imp-b/undo = %d %s, want 200 the forced run RUNNING", resp.StatusCode, resp.Body)
	}
}
