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
)

// undoWorld is acme's ended import imp-b, which created one record, and
// its running import imp-a.
func undoWorld(t *testing.T) (*Handler, *crmtest.Records, *crmtest.Notifier) {
	t.Helper()
	records := &crmtest.Records{}
	s := crm.Scope{Tenant: "acme", User: "u1", Entity: "customers", ImportID: "imp-b"}
	if err := records.Write(context.Background(), s, []crm.Write{{Kind: crm.WriteCreate, ID: "c1", Row: 2, Fields: map[string]string{"name": "New"}, Version: 1}}); err != nil {
		t.Fatal(err)
	}
	bus := crmtest.NewNotifier()
	return &Handler{Jobs: store(t), Records: records, Notifier: bus, Log: slog.New(slog.DiscardHandler)}, records, bus
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
		{name: "confirm acts", id: "imp-b", tenant: "acme", admin: true, body: `{"confirm": true}`, status: 200, deleted: 1, gone: true},
		{name: "only administrators", id: "imp-b", tenant: "acme", body: `{"confirm": true}`, status: 403, message: "only administrators may undo an import"},
		{name: "another tenant's import is missing", id: "imp-b", tenant: "globex", admin: true, body: `{"confirm": true}`, status: 404},
		{name: "an import not ended yet", id: "imp-a", tenant: "acme", admin: true, status: 409, message: "once it has ended"},
		{name: "an unknown field is refused", id: "imp-b", tenant: "acme", admin: true, body: `{"confirmed": true}`, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, records, bus := undoWorld(t)
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
			if n := len(bus.Events()); tt.gone != (n == 1) {
				t.Errorf("events = %d, want ImportUndone once: %v", n, tt.gone)
			}
		})
	}
}

func TestPostUndoAfterTheRetentionIsAConflict(t *testing.T) {
	h, _, _ := undoWorld(t)
	h.UndoRetention = time.Nanosecond
	resp, err := h.Handle(context.Background(), asAdmin(post("POST /imports/{id}/undo", "imp-b", "acme", `{"confirm": true}`)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 409 || !strings.Contains(resp.Body, "can be undone for 0 days after it was started") {
		t.Errorf("Handle() = %d %s, want 409 naming the retention", resp.StatusCode, resp.Body)
	}
}
