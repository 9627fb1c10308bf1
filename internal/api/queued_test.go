package api

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/steps"
)

// TestAnImportQueuedBehindAnotherSaysWhich: an import waiting for a
// user's lease or for one of the tenant's running-import slots names the
// import it waits for, with the user's e-mail or the tenant's limit.
func TestAnImportQueuedBehindAnotherSaysWhich(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		waiting map[string]string // user -> holder, as the steps record it
		want    []queuedView
	}{
		{"nothing", nil, nil},
		{"a user's records", map[string]string{wAnna.ID: "imp-sync"},
			[]queuedView{{User: wAnna.ID, Email: wAnna.Email, Import: "imp-sync"}}},
		{"a slot, then the users", map[string]string{wBo.ID: "imp-2", steps.WaitingForSlot: "imp-1", wAnna.ID: "imp-3"},
			[]queuedView{{Import: "imp-1", RunningImports: 2}, {User: wAnna.ID, Email: wAnna.Email, Import: "imp-3"}, {User: wBo.ID, Email: wBo.Email, Import: "imp-2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWizardWorld(t, nil)
			w.h.Tenants.(*crmtest.Tenants).PutProfile("acme", crm.Profile{MaxRunningImports: 2})
			for user, holder := range tt.waiting {
				w.jobs.SetWaiting(ctx, "acme", "imp-w", user, holder)
			}
			for _, route := range []string{"GET /imports/{id}", "GET /imports"} {
				req := request(route, "/imports/imp-w", map[string]string{"id": "imp-w"}, tenantClaims("acme"))
				resp, _ := w.h.Handle(ctx, req)
				var got importView
				if route == "GET /imports" {
					var list importList
					json.Unmarshal([]byte(resp.Body), &list)
					if len(list.Imports) > 0 {
						got = list.Imports[0]
					}
				} else {
					json.Unmarshal([]byte(resp.Body), &got)
				}
				if resp.StatusCode != 200 || !reflect.DeepEqual(got.QueuedBehind, tt.want) {
					t.Errorf("%s = %d, queuedBehind %+v; want %+v", route, resp.StatusCode, got.QueuedBehind, tt.want)
				}
			}
		})
	}
}
