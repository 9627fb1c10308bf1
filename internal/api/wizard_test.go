package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/plan"
)

// wizardWorld is acme's attended import imp-w, split into anna and bo, and
// globex's import of the same id shape.
type wizardWorld struct {
	h        *Handler
	jobs     *crmtest.Jobs
	files    *crmtest.Files
	workflow *crmtest.Workflow
}

var (
	wAnna = crm.User{ID: "u-anna", Email: "anna@acme.example", Name: "Anna"}
	wBo   = crm.User{ID: "u-bo", Email: "bo@acme.example"}
)

const wizardConfig = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "default_policy": "keep", "locale": "de-DE"}`

func newWizardWorld(t *testing.T, wait *crm.Wait) *wizardWorld {
	t.Helper()
	ctx := context.Background()
	w := &wizardWorld{jobs: crmtest.NewJobs(), files: crmtest.NewFiles(), workflow: crmtest.NewWorkflow()}
	w.h = &Handler{Jobs: w.jobs, Files: w.files, Tenants: crmtest.NewTenants(), Workflow: w.workflow}
	w.jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-w", Entity: "customers", Key: "incoming/acme/customers/a.csv", Status: crm.Applying, By: "ada@acme.example", Attended: true})
	w.jobs.Create(ctx, crm.Job{Tenant: "globex", ID: "imp-g", Entity: "customers", Key: "incoming/globex/customers/g.csv", Status: crm.Applying})
	if wait != nil {
		w.jobs.SetWait(ctx, "acme", "imp-w", *wait)
	}
	wk := crm.Work{Tenant: "acme", ImportID: "imp-w"}
	sel, _ := json.Marshal(assign.Selection{
		Users:     []assign.UserRows{{User: wAnna, Rows: 2}, {User: wBo, Rows: 1}},
		Unmatched: []assign.ValueRows{{Value: "jane@x", Rows: 3}},
	})
	w.files.Add(wk.Selection(), sel, nil)
	w.files.Add(wk.Config(), []byte(wizardConfig), nil)
	pv, _ := json.Marshal(plan.Preview{Rows: 2, Creates: 1, Updates: 1, Matched: 1,
		Sample: []plan.Op{{Kind: plan.OpUpdate, Row: 3, ID: "r-1", Changes: []plan.Change{{Field: "name", Old: "A", New: "B"}}}}})
	w.files.Add(wk.Preview(wAnna.ID), pv, nil)
	var ops strings.Builder
	for _, op := range []plan.Op{{Kind: plan.OpCreate, Row: 2, ID: "r-0"}, {Kind: plan.OpUpdate, Row: 3, ID: "r-1"}} {
		line, _ := json.Marshal(op)
		ops.Write(append(line, '\n'))
	}
	w.files.Add(wk.Plan(wAnna.ID), []byte(ops.String()), nil)
	return w
}

func post(route, id, tenant, body string) events.APIGatewayV2HTTPRequest {
	path := "/imports/" + id + route[strings.Index(route, "}")+1:]
	req := request(route, path, map[string]string{"id": id}, tenantClaims(tenant))
	req.RequestContext.HTTP.Method = strings.Fields(route)[0]
	req.Body = body
	return req
}

var decisionWait = &crm.Wait{For: crm.ForDecision, Token: "tok-d", User: &crm.UserRef{ID: wAnna.ID, Email: wAnna.Email, Rows: 2}}

func TestWizardRoutesAnswerTheWaits(t *testing.T) {
	tests := []struct {
		name       string
		wait       *crm.Wait
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string // a part of the answer
		wantAnswer string // what SendTaskSuccess got; "" for nothing sent
	}{
		{"the users with their rows and status", nil, post("GET /imports/{id}/users", "imp-w", "acme", ""), 200,
			`{"users":[{"id":"u-anna","email":"anna@acme.example","name":"Anna","rows":2,"status":"pending"},{"id":"u-bo","email":"bo@acme.example","rows":1,"status":"pending"}],"unmatched":[{"value":"jane@x","rows":3}],"unassigned":3}`, ""},
		{"a selection by e-mail sends the ids", &crm.Wait{For: crm.ForSelection, Token: "tok-s"}, post("POST /imports/{id}/selection", "imp-w", "acme", `{"exclude":["BO@acme.example"]}`), 200,
			`"status":"PREVIEWING"`, `{"exclude":["u-bo"]}`},
		{"a selection naming no user of the import is 400", &crm.Wait{For: crm.ForSelection, Token: "tok-s"}, post("POST /imports/{id}/selection", "imp-w", "acme", `{"exclude":["zed@acme.example"]}`), 400,
			`zed@acme.example`, ""},
		{"a selection while no selection is awaited is 409", decisionWait, post("POST /imports/{id}/selection", "imp-w", "acme", `{"exclude":[]}`), 409,
			crm.WaitEnded, ""},
		{"the preview of the user in turn", decisionWait, post("GET /imports/{id}/preview", "imp-w", "acme", ""), 200,
			`"counts":{"create":1,"update":1,"unchanged":0,"delete":0,"skip":0,"errors":0},"matched":1,"sample":[{"row":3,"action":"update","id":"r-1","changes":[{"field":"name","old":"A","new":"B"}]}],"rows":[{"row":2,"action":"create","id":"r-0"},{"row":3,"action":"update","id":"r-1"}],"total":2`, ""},
		{"a preview not made yet is 404", decisionWait, withQuery(post("GET /imports/{id}/preview", "imp-w", "acme", ""), "user", wBo.ID), 404,
			`bo@acme.example has no preview`, ""},
		{"a decision on the user in turn", decisionWait, post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import-all","user":"u-anna"}`), 200,
			`"status":"APPLYING"`, `{"decision":"import-all"}`},
		{"a decision naming another user is 409", decisionWait, post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import","user":"u-bo"}`), 409,
			`the user in turn is anna@acme.example`, ""},
		{"an unknown decision is 400", decisionWait, post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"maybe"}`), 400,
			`the decision \"maybe\" is not one of import, skip, import-all, back`, ""},
		{"a decision while nothing is awaited is 409", nil, post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import","user":"u-anna"}`), 409,
			crm.WaitEnded, ""},
		{"stop after back", &crm.Wait{For: crm.ForResume, Token: "tok-r"}, post("POST /imports/{id}/resume", "imp-w", "acme", `{"action":"stop"}`), 200,
			`"status":"PREVIEWING"`, `{"action":"stop"}`},
		{"continue with an inline configuration sends the one in force", &crm.Wait{For: crm.ForResume, Token: "tok-r"},
			post("POST /imports/{id}/resume", "imp-w", "acme", `{"action":"continue","inlineConfig":`+strings.Replace(wizardConfig, "keep", "overwrite", 1)+`}`), 200,
			`"status":"PREVIEWING"`, `"default_policy":"overwrite"`},
		{"continue with another locale is 400 in words", &crm.Wait{For: crm.ForResume, Token: "tok-r"},
			post("POST /imports/{id}/resume", "imp-w", "acme", `{"action":"continue","inlineConfig":`+strings.Replace(wizardConfig, "de-DE", "en-US", 1)+`}`), 400,
			`also changes locale`, ""},
		{"the results so far leave out the undecided", nil, post("GET /imports/{id}/results", "imp-w", "acme", ""), 200,
			`{"users":[]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWizardWorld(t, tt.wait)
			resp, err := w.h.Handle(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || !strings.Contains(resp.Body, tt.wantBody) {
				t.Errorf("%s = %d %s, want %d with %s", tt.req.RouteKey, resp.StatusCode, resp.Body, tt.wantStatus, tt.wantBody)
			}
			answers := w.workflow.Answers()
			switch {
			case tt.wantAnswer == "" && len(answers) != 0:
				t.Errorf("answers sent = %s, want none", answers[0].Output)
			case tt.wantAnswer != "" && (len(answers) != 1 || !strings.Contains(string(answers[0].Output), tt.wantAnswer) || answers[0].Token != tt.wait.Token):
				t.Errorf("answers sent = %v, want one with %s on %s", answers, tt.wantAnswer, tt.wait.Token)
			}
		})
	}
}

func withQuery(req events.APIGatewayV2HTTPRequest, k, v string) events.APIGatewayV2HTTPRequest {
	req.QueryStringParameters = map[string]string{k: v}
	return req
}

func TestADecisionSentTwiceIsAConflict(t *testing.T) {
	w := newWizardWorld(t, decisionWait)
	req := post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import","user":"u-anna"}`)
	first, _ := w.h.Handle(context.Background(), req)
	second, _ := w.h.Handle(context.Background(), req)
	if first.StatusCode != 200 || second.StatusCode != 409 || !strings.Contains(second.Body, crm.WaitEnded) {
		t.Errorf("decision twice = %d, %d %s; want 200, then 409 saying %q", first.StatusCode, second.StatusCode, second.Body, crm.WaitEnded)
	}
	if n := len(w.workflow.Answers()); n != 1 {
		t.Errorf("answers sent = %d, want 1", n)
	}
}

func TestAWaitEndedInTheWorkflowIsAConflictAndGivenBackOtherwise(t *testing.T) {
	tests := []struct {
		name     string
		fail     func(w *wizardWorld)
		status   int
		waitBack bool
	}{
		{"the wait timed out in the workflow", func(w *wizardWorld) { w.workflow.EndTask("tok-d") }, 409, false},
		{"the workflow service is down", func(w *wizardWorld) { w.workflow.FailNext("SendTaskSuccess", crm.Errorf(crm.Unavailable, "down")) }, 503, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWizardWorld(t, decisionWait)
			tt.fail(w)
			resp, _ := w.h.Handle(context.Background(), post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import","user":"u-anna"}`))
			j, _ := w.jobs.Get(context.Background(), "acme", "imp-w")
			if resp.StatusCode != tt.status || (j.Wait != nil) != tt.waitBack {
				t.Errorf("decision = %d %s, job wait %+v; want %d and the wait given back: %v", resp.StatusCode, resp.Body, j.Wait, tt.status, tt.waitBack)
			}
		})
	}
}

func TestWizardRoutesAnswer404ForAnotherTenantsImport(t *testing.T) {
	for _, route := range []string{
		"GET /imports/{id}/users", "POST /imports/{id}/selection", "GET /imports/{id}/preview",
		"POST /imports/{id}/decision", "POST /imports/{id}/resume", "GET /imports/{id}/results",
	} {
		t.Run(route, func(t *testing.T) {
			w := newWizardWorld(t, decisionWait)
			body := map[string]string{
				"POST /imports/{id}/selection": `{"exclude":[]}`, "POST /imports/{id}/decision": `{"decision":"import","user":"u-anna"}`, "POST /imports/{id}/resume": `{"action":"stop"}`,
			}[route]
			resp, _ := w.h.Handle(context.Background(), post(route, "imp-w", "globex", body))
			j, _ := w.jobs.Get(context.Background(), "acme", "imp-w")
			if resp.StatusCode != 404 || j.Wait == nil || len(w.workflow.Answers()) != 0 {
				t.Errorf("%s as globex = %d %s (acme's wait %+v); want 404 and nothing changed", route, resp.StatusCode, resp.Body, j.Wait)
			}
		})
	}
}
