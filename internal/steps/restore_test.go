package steps

import (
	"context"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/restore"
)

// restoreRig is a tenant whose anna changed one record since the restore
// point before import imp-b, and the restore handler on the doubles.
type restoreRig struct {
	h        *Restore
	restores *crmtest.Restores
	store    *crmtest.RestoreStore
	notify   *crmtest.Notifier
}

func newRestoreRig(t *testing.T) *restoreRig {
	t.Helper()
	ctx := context.Background()
	store, points, files := crmtest.NewRestoreStore(), crmtest.NewPoints(), crmtest.NewFiles()
	rec := crm.Record{Entity: "customers", ID: "c-1", Fields: map[string]string{"city": "Berlin"}, Version: 1, ImportID: "imp-a"}
	store.Put("acme", "anna", rec)
	points.Take("restore-points/acme/imp-b", "acme", store)
	rec.Fields, rec.Version, rec.ImportID = map[string]string{"city": "Potsdam"}, 2, "imp-b"
	store.Put("acme", "anna", rec)
	jobs, tenants := crmtest.NewJobs(), crmtest.NewTenants()
	tenants.PutUser("acme", crm.User{ID: "anna", Email: "anna@example.com"})
	if _, err := jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-b", Status: crm.Succeeded, CreatedAt: time.Now(), Counts: crm.Counts{Updated: 1}}); err != nil {
		t.Fatal(err)
	}
	rig := &restoreRig{restores: crmtest.NewRestores(), store: store, notify: crmtest.NewNotifier()}
	rig.h = &Restore{
		Restores: rig.restores, Jobs: jobs, Tenants: tenants, Files: files, Notify: rig.notify,
		Planner: &restore.Planner{Points: points, Store: store, Files: files},
		Actor:   &restore.Actor{Store: store, Files: files, Leases: crmtest.NewLeases(), Restores: rig.restores},
	}
	r := crm.Restore{Tenant: "acme", ID: "rst-1", Point: "imp-b", Prefix: "restore-points/acme/imp-b", Status: crm.RestorePlanning}
	if err := rig.restores.CreateRestore(ctx, r); err != nil {
		t.Fatal(err)
	}
	return rig
}

func (rig *restoreRig) run(t *testing.T, step string) RestoreOutput {
	t.Helper()
	out, err := rig.h.Handle(context.Background(), RestoreInput{Step: step, Tenant: "acme", RestoreID: "rst-1", Token: "token-1"})
	if err != nil {
		t.Fatalf("Handle(%s) = %v", step, err)
	}
	return out
}

func (rig *restoreRig) restore(t *testing.T) crm.Restore {
	t.Helper()
	r, err := rig.restores.GetRestore(context.Background(), "acme", "rst-1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRestoreWorkflowPlansWaitsAndActsOnce(t *testing.T) {
	ctx := context.Background()
	rig := newRestoreRig(t)
	if out := rig.run(t, RestorePlanStep); out.Next != RestoreNextWait || out.WaitSeconds != DefaultRestoreWaitSeconds {
		t.Errorf("plan = %+v, want wait for %d s", out, DefaultRestoreWaitSeconds)
	}
	if r := rig.restore(t); r.Status != crm.RestorePlanning || r.PutBack != 1 || r.Total != 1 || len(r.ImportsSince) != 1 || r.ImportsSince[0] != "imp-b" {
		t.Errorf("restore after the plan = %+v, want PLANNING, 1 to put back since imp-b", r)
	}
	rig.run(t, RestoreWaitStep)
	if r := rig.restore(t); r.Status != crm.RestoreReady || r.Token != "token-1" || r.Expires.IsZero() {
		t.Errorf("restore after the wait step = %+v, want READY with the token", r)
	}
	// The confirmation, as the API makes it.
	if _, _, err := rig.restores.MoveRestore(ctx, "acme", "rst-1", []crm.RestoreStatus{crm.RestoreReady}, func(r *crm.Restore) { r.Status = crm.RestoreRestoring }); err != nil {
		t.Fatal(err)
	}
	// A new execution over the confirmed restore goes straight on writing.
	if out := rig.run(t, RestorePlanStep); out.Next != RestoreNextAct {
		t.Errorf("plan of a RESTORING restore = %+v, want act", out)
	}
	if out := rig.run(t, RestoreActStep); out.Next != RestoreNextEnd || out.Progress.Done != 1 {
		t.Errorf("act = %+v, want the end with 1 done", out)
	}
	if r := rig.restore(t); r.Status != crm.RestoreSucceeded || r.Done != 1 || r.EndedAt.IsZero() {
		t.Errorf("restore after the act = %+v, want SUCCEEDED, 1 done", r)
	}
	if got := rig.store.Records("acme")["anna"]["customers/c-1"]; got.Fields["city"] != "Berlin" || got.Version != 1 {
		t.Errorf("anna's c-1 after the restore = %+v, want Berlin at version 1", got)
	}
	if out := rig.run(t, RestoreActStep); out.Next != RestoreNextEnd {
		t.Errorf("act of an ended restore = %+v, want the end", out)
	}
	if ev := rig.notify.Events(); len(ev) != 1 || ev[0].DetailType != crm.RestoreSucceededEvent {
		t.Errorf("events = %+v, want one RestoreSucceeded", ev)
	}
}

func TestRestoreWorkflowEndsAFailedOrExpiredRestoreInWords(t *testing.T) {
	tests := []struct {
		name   string
		in     RestoreInput
		status crm.RestoreStatus
		reason string
		event  string
	}{
		{"a refusal keeps its words", RestoreInput{Step: RestoreFailStep, Error: &struct {
			Error string `json:"Error"`
			Cause string `json:"Cause"`
		}{"RefusedError", `{"errorMessage":"the restore point restore-points/acme/imp-b has no data in the bucket","errorType":"RefusedError"}`}},
			crm.RestoreFailed, "the restore point restore-points/acme/imp-b has no data in the bucket", crm.RestoreFailedEvent},
		{"an internal error says nothing of itself", RestoreInput{Step: RestoreFailStep, Error: &struct {
			Error string `json:"Error"`
			Cause string `json:"Cause"`
		}{"InternalError", "nil pointer"}}, crm.RestoreFailed, crm.InternalMessage, crm.RestoreFailedEvent},
		{"no confirmation in time", RestoreInput{Step: RestoreExpireStep}, crm.RestoreExpired, "nobody confirmed the restore in time; nothing was written", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rig := newRestoreRig(t)
			tt.in.Tenant, tt.in.RestoreID = "acme", "rst-1"
			if _, err := rig.h.Handle(context.Background(), tt.in); err != nil {
				t.Fatalf("Handle(%s) = %v", tt.in.Step, err)
			}
			if r := rig.restore(t); r.Status != tt.status || r.Reason != tt.reason {
				t.Errorf("restore = %s %q, want %s %q", r.Status, r.Reason, tt.status, tt.reason)
			}
			ev := rig.notify.Events()
			if tt.event == "" && len(ev) != 0 || tt.event != "" && (len(ev) != 1 || ev[0].DetailType != tt.event) {
				t.Errorf("events = %+v, want %q", ev, tt.event)
			}
		})
	}
}
