package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

func TestListRestorePointsGivesTheTenantsNewestFirstToAdministratorsOnly(t *testing.T) {
	ctx := context.Background()
	jobs := crmtest.NewJobs()
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, j := range []struct {
		tenant, id string
		rp         *crm.RestorePoint
	}{
		{"acme", "imp-old", &crm.RestorePoint{Time: t0, ExportARN: "arn:x/export/1", Prefix: "restore-points/acme/imp-old"}},
		{"acme", "imp-new", &crm.RestorePoint{Time: t0.Add(time.Hour)}},
		{"acme", "imp-none", nil},
		{"globex", "imp-g", &crm.RestorePoint{Time: t0.Add(2 * time.Hour), ExportARN: "arn:x/export/2", Prefix: "restore-points/globex/imp-g"}},
	} {
		jobs.Create(ctx, crm.Job{Tenant: j.tenant, ID: j.id, Entity: "customers", Key: "incoming/" + j.tenant + "/customers/f.csv", Status: crm.Splitting})
		if j.rp != nil {
			jobs.Update(ctx, j.tenant, j.id, crm.JobChange{RestorePoint: j.rp})
		}
	}
	h := &Handler{Jobs: jobs}
	claims := func(group string) map[string]string {
		c := tenantClaims("acme")
		c[GroupsClaim] = "[" + group + "]"
		return c
	}
	tests := []struct {
		name       string
		group      string
		wantStatus int
		want       string
	}{
		{"an administrator sees the tenant's, newest first, the kind of each", Administrator, 200,
			`{"restorePoints":[` +
				`{"import":"imp-new","file":"f.csv","entity":"customers","status":"SPLITTING","time":"2026-05-01T13:00:00Z","kind":"point-in-time"},` +
				`{"import":"imp-old","file":"f.csv","entity":"customers","status":"SPLITTING","time":"2026-05-01T12:00:00Z","kind":"export","exportArn":"arn:x/export/1","prefix":"restore-points/acme/imp-old"}]}`},
		{"a supervisor is refused", Supervisor, 403, ""},
		{"a user is refused", User, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(ctx, request("GET /restore-points", "/restore-points", nil, claims(tt.group)))
			if err != nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("Handle(GET /restore-points) = %d %s, %v, want %d", resp.StatusCode, resp.Body, err, tt.wantStatus)
			}
			if tt.want == "" {
				return
			}
			var got, want any
			json.Unmarshal([]byte(resp.Body), &got)
			json.Unmarshal([]byte(tt.want), &want)
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("Handle(GET /restore-points) = %s, want %s", g, w)
			}
		})
	}
}
