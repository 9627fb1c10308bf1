package steps

import (
	"context"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Another import writing anna's customers makes this one wait, and the job
// says for which import; once the other is done, the user is planned and
// applied under this import's lease, which apply gives up at the end.
func TestAUsersImportsTakeTurns(t *testing.T) {
	f := newFixture(t)
	f.tenants.SaveConfig(context.Background(), tenant, "sync", []byte(syncConfig))
	s := f.splitted(t, syncCSV, "sync")
	task := UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: f.mapItems(t, s)[0]}
	other := userLease(tenant, "imp-other", anna.ID, "customers")
	if err := f.leases.Acquire(context.Background(), other); err != nil {
		t.Fatal(err)
	}

	_, err := f.preview().Handle(context.Background(), task)
	if crm.KindOf(err) != crm.Busy || crm.HolderOf(err) != "imp-other" {
		t.Fatalf("Preview.Handle() while imp-other holds the lease: error %v (%s), want Busy naming imp-other", err, crm.KindOf(err))
	}
	if got := f.job(t, s.ImportID).Waiting; got[anna.ID] != "imp-other" {
		t.Errorf("job waiting = %v, want anna waiting for imp-other", got)
	}

	if err := f.leases.Release(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	p, err := f.preview().Handle(context.Background(), task)
	if err != nil {
		t.Fatalf("Preview.Handle() once imp-other is done: %v", err)
	}
	if got := f.job(t, s.ImportID).Waiting; len(got) != 0 {
		t.Errorf("job waiting = %v after the lease was taken, want none", got)
	}
	if h := f.leases.Holder(tenant, anna.ID, "customers"); h != s.ImportID {
		t.Errorf("lease holder after preview = %q, want %s until apply ends", h, s.ImportID)
	}
	if _, err := f.apply().Handle(context.Background(), p); err != nil {
		t.Fatalf("Apply.Handle(): %v", err)
	}
	if h := f.leases.Holder(tenant, anna.ID, "customers"); h != "" {
		t.Errorf("lease holder after apply = %q, want released", h)
	}
}

// An apply whose lease lapsed and was taken by another import waits, and
// writes nothing meanwhile.
func TestApplyWaitsForALeaseItLost(t *testing.T) {
	f := newFixture(t)
	p := f.previewed(t, mueller)
	f.leases.Now = func() time.Time { return time.Now().Add(crm.LeaseTime + time.Minute) }
	if err := f.leases.Acquire(context.Background(), userLease(tenant, "imp-late", anna.ID, "customers")); err != nil {
		t.Fatalf("another import taking the lapsed lease: %v", err)
	}
	f.leases.Now = nil
	_, err := f.apply().Handle(context.Background(), p)
	if crm.KindOf(err) != crm.Busy || crm.HolderOf(err) != "imp-late" {
		t.Fatalf("Apply.Handle() error %v, want Busy naming imp-late", err)
	}
	if n := len(f.records.Writes()); n != 0 {
		t.Errorf("apply made %d writes without its lease, want none", n)
	}
	if got := f.job(t, p.ImportID).Waiting; got[anna.ID] != "imp-late" {
		t.Errorf("job waiting = %v, want anna waiting for imp-late", got)
	}
	if err := f.leases.Release(context.Background(), userLease(tenant, "imp-late", anna.ID, "customers")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply().Handle(context.Background(), p); err != nil {
		t.Fatalf("Apply.Handle() once imp-late is done: %v", err)
	}
	if got := f.job(t, p.ImportID).Waiting; len(got) != 0 {
		t.Errorf("job waiting = %v after apply took the lease, want none", got)
	}
}

// A failed import leaves its users' leases to lapse: when one user fails
// the Map, other users' apply steps may still be writing under theirs.
func TestFailedImportLeavesItsLeasesToLapse(t *testing.T) {
	f := newFixture(t)
	s := State{ImportID: "imp-1", Tenant: tenant, Entity: "customers",
		Error: &StepError{Error: "InternalError", Cause: `{"errorType":"InternalError","errorMessage":"boom"}`}}
	s = f.mapped(t, s, []crm.UserRef{{ID: anna.ID}}, nil)
	if _, err := f.jobs.Create(context.Background(), crm.Job{Tenant: tenant, ID: "imp-1", Status: crm.Applying}); err != nil {
		t.Fatal(err)
	}
	if err := f.leases.Acquire(context.Background(), userLease(tenant, "imp-1", anna.ID, "customers")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.finalize().Handle(context.Background(), s); err != nil {
		t.Fatalf("Finalize.Handle(): %v", err)
	}
	next := userLease(tenant, "imp-2", anna.ID, "customers")
	if err := f.leases.Acquire(context.Background(), next); crm.HolderOf(err) != "imp-1" {
		t.Errorf("another import taking anna's lease right after the failure: %v, want it to wait for imp-1", err)
	}
	f.leases.Now = func() time.Time { return time.Now().Add(crm.LeaseTime + time.Minute) }
	if err := f.leases.Acquire(context.Background(), next); err != nil {
		t.Errorf("another import taking anna's lease once it lapsed: %v, want it taken", err)
	}
}

// A tenant's imports run a few at a time: one over the tenant's limit waits,
// still RECEIVED, naming an import that runs; when that one ends, it starts.
func TestATenantsImportsRunAFewAtATime(t *testing.T) {
	f := newFixture(t)
	f.tenants.PutProfile(tenant, crm.Profile{MaxRunningImports: 1})
	first := f.upload(t, "first.csv", "Customer number,Name\n1001,Müller GmbH\n", "")
	second := f.upload(t, "second.csv", "Customer number,Name\n1002,Rossi S.r.l.\n", "")
	if _, err := f.validate().Handle(context.Background(), first); err != nil {
		t.Fatalf("Validate.Handle(first) = %v", err)
	}

	_, err := f.validate().Handle(context.Background(), second)
	if crm.KindOf(err) != crm.Busy || crm.HolderOf(err) != first.ImportID {
		t.Fatalf("Validate.Handle(second) while the first runs: %v, want Busy naming %s", err, first.ImportID)
	}
	if j := f.job(t, second.ImportID); j.Status != crm.Received || j.Waiting["*"] != first.ImportID {
		t.Errorf("second job = %s waiting %v, want RECEIVED, waiting for %s", j.Status, j.Waiting, first.ImportID)
	}

	failed := first
	failed.Error = &StepError{Error: "RefusedError", Cause: `{"errorType":"RefusedError","errorMessage":"stop"}`}
	if _, err := f.finalize().Handle(context.Background(), failed); err != nil {
		t.Fatalf("Finalize.Handle(first) = %v", err)
	}
	if _, err := f.validate().Handle(context.Background(), second); err != nil {
		t.Fatalf("Validate.Handle(second) once the first ended: %v, want it to run", err)
	}
	if j := f.job(t, second.ImportID); j.Status != crm.Validating || len(j.Waiting) != 0 {
		t.Errorf("second job = %s waiting %v, want VALIDATING, waiting for nothing", j.Status, j.Waiting)
	}
}

// An import the sweeper ends gives its running-import slot up, so the
// tenant's next import starts at once rather than when the slot lapses.
func TestSweptImportReleasesItsSlot(t *testing.T) {
	f := newFixture(t)
	f.tenants.PutProfile(tenant, crm.Profile{MaxRunningImports: 1})
	dead := f.upload(t, "dead.csv", "Customer number,Name\n1001,Müller GmbH\n", "")
	if _, err := f.validate().Handle(context.Background(), dead); err != nil {
		t.Fatalf("Validate.Handle(dead) = %v", err)
	}
	// Its workflow was stopped after validate: nothing will finalize it.
	f.workflow.SetStatus(dead.ImportID, crm.ExecutionAborted)
	if _, err := f.sweeper().Sweep(context.Background(), SweepRequest{}); err != nil {
		t.Fatalf("Sweep() = %v", err)
	}
	if j := f.job(t, dead.ImportID); j.Status != crm.Failed {
		t.Fatalf("stopped job = %s, want FAILED by the sweep", j.Status)
	}
	next := f.upload(t, "next.csv", "Customer number,Name\n1002,Rossi S.r.l.\n", "")
	if _, err := f.validate().Handle(context.Background(), next); err != nil {
		t.Errorf("Validate.Handle(next) after the sweep = %v, want it to start", err)
	}
}

// A validate retried after it took a slot takes the first free one and
// gives the later one up: an import never holds two of the tenant's slots.
func TestRetriedValidateHoldsOneSlot(t *testing.T) {
	f := newFixture(t)
	f.tenants.PutProfile(tenant, crm.Profile{MaxRunningImports: 3})
	s := f.upload(t, "march.csv", "Customer number,Name\n1001,Müller GmbH\n", "")
	// The first attempt took slot 2 while 0 and 1 were busy, then failed.
	if err := f.leases.Acquire(context.Background(), crm.ImportSlot(tenant, 2, s.ImportID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.validate().Handle(context.Background(), s); err != nil {
		t.Fatalf("Validate.Handle() = %v", err)
	}
	held := 0
	for n := range 3 {
		if f.leases.Holder(tenant, crm.ImportSlot(tenant, n, "").User, crm.ImportSlot(tenant, n, "").Entity) == s.ImportID {
			held++
		}
	}
	if held != 1 {
		t.Errorf("the import holds %d slots after its retried validate, want 1", held)
	}
}
