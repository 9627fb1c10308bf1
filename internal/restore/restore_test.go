package restore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/restore"
)

const (
	tenant = "acme"
	other  = "globex"
	prefix = "restore-points/acme/imp-b"
)

func rec(id string, version int64, importID, city string) crm.Record {
	return crm.Record{Entity: "customers", ID: id, Fields: map[string]string{"city": city}, Version: version, ImportID: importID}
}

// fixture is a tenant of two users (anna with n records, bo with one)
// and another tenant, a restore point taken then, and the changes since:
// import B updated every record of anna's but c-001 (edited by hand) and
// c-002 (deleted by B), created c-new, a person created c-hand, and B
// updated bo's.
type fixture struct {
	store    *crmtest.RestoreStore
	points   *crmtest.Points
	files    *crmtest.Files
	restores *crmtest.Restores
	leases   *crmtest.Leases
	atPoint  map[string]map[string]crm.Record
	ofOther  map[string]map[string]crm.Record
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	f := &fixture{store: crmtest.NewRestoreStore(), points: crmtest.NewPoints(), files: crmtest.NewFiles(), restores: crmtest.NewRestores(), leases: crmtest.NewLeases()}
	f.store.PageSize = 7
	for i := range n {
		f.store.Put(tenant, "anna", rec(fmt.Sprintf("c-%03d", i), 1, "imp-a", "Berlin"))
	}
	f.store.Put(tenant, "bo", rec("b-1", 1, "imp-a", "Roma"))
	f.store.Put(other, "anna", rec("c-000", 1, "imp-x", "Oslo"))
	f.points.Take(prefix, tenant, f.store)
	f.atPoint = f.store.Records(tenant)
	for i := range n {
		id := fmt.Sprintf("c-%03d", i)
		switch i {
		case 1:
			f.store.Put(tenant, "anna", rec(id, 2, "", "Leipzig"))
		case 2:
			f.store.Delete(tenant, "anna", "customers", id)
		default:
			f.store.Put(tenant, "anna", rec(id, 2, "imp-b", "Potsdam"))
		}
	}
	f.store.Put(tenant, "anna", rec("c-new", 1, "imp-b", "Hamburg"))
	f.store.Put(tenant, "anna", rec("c-hand", 1, "", "Köln"))
	f.store.Put(tenant, "bo", rec("b-1", 2, "imp-b", "Napoli"))
	f.ofOther = f.store.Records(other)
	return f
}

func (f *fixture) restore(users ...string) crm.Restore {
	r := crm.Restore{Tenant: tenant, ID: "rst-1", Point: "imp-b", Prefix: prefix, UserIDs: users, Status: crm.RestoreRestoring}
	if err := f.restores.CreateRestore(context.Background(), r); err != nil {
		panic(err)
	}
	return r
}

func (f *fixture) planner() *restore.Planner {
	return &restore.Planner{Points: f.points, Store: f.store, Files: f.files, TempDir: ""}
}

func (f *fixture) actor() *restore.Actor {
	return &restore.Actor{Store: f.store, Files: f.files, Leases: f.leases, Restores: f.restores}
}

func TestPlanCountsWhatTheRestoreWillDo(t *testing.T) {
	tests := []struct {
		name  string
		users []string
		want  crm.RestoreCounts
	}{
		// anna: 8 records at the point, 1 edited by hand, 1 deleted by B,
		// 6 updated by B; 2 created since (one by B, one by hand).
		{"one user", []string{"anna"}, crm.RestoreCounts{PutBack: 8, Deleted: 2, Unchanged: 0, EditsLost: 2}},
		{"the whole tenant", nil, crm.RestoreCounts{PutBack: 9, Deleted: 2, Unchanged: 0, EditsLost: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 8)
			r := f.restore(tt.users...)
			plan, err := f.planner().Plan(context.Background(), r, tt.users)
			if err != nil {
				t.Fatalf("Plan() = %v", err)
			}
			if plan.RestoreCounts != tt.want {
				t.Errorf("Plan() counts = %+v, want %+v", plan.RestoreCounts, tt.want)
			}
			if diff := cmp.Diff([]string{"imp-b"}, plan.ImportsSince); diff != "" {
				t.Errorf("Plan() imports since (-want +got):\n%s", diff)
			}
			if n := f.store.Calls(); n != 0 {
				t.Errorf("Plan() wrote %d times, want none", n)
			}
		})
	}
}

func TestActMakesTheUsersRecordsEqualToThePointAndNothingElse(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 60)
	r := f.restore("anna")
	plan, err := f.planner().Plan(ctx, r, []string{"anna"})
	if err != nil {
		t.Fatal(err)
	}
	boBefore := f.store.Records(tenant)["bo"]
	p, err := f.actor().Act(ctx, r, plan, restore.Progress{}, nil)
	if err != nil {
		t.Fatalf("Act() = %v", err)
	}
	if want := (restore.Progress{NextUser: 1, Done: plan.Total()}); p != want {
		t.Errorf("Act() = %+v, want %+v: the dry run's counts", p, want)
	}
	got := f.store.Records(tenant)
	if diff := cmp.Diff(f.atPoint["anna"], got["anna"]); diff != "" {
		t.Errorf("anna's records after the restore (-point +got):\n%s", diff)
	}
	if diff := cmp.Diff(boBefore, got["bo"]); diff != "" {
		t.Errorf("bo's records changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(f.ofOther, f.store.Records(other)); diff != "" {
		t.Errorf("the other tenant's records changed (-before +after):\n%s", diff)
	}
	if h := f.leases.Holder(tenant, "anna", "customers"); h != "" {
		t.Errorf("the lease of anna's customers is held by %q after the restore, want released", h)
	}

	again, err := f.actor().Act(ctx, r, plan, restore.Progress{}, nil)
	if err != nil || again != p {
		t.Errorf("Act() again = %+v, %v, want the same %+v", again, err, p)
	}
	if diff := cmp.Diff(f.atPoint["anna"], f.store.Records(tenant)["anna"]); diff != "" {
		t.Errorf("anna's records after the restore again (-point +got):\n%s", diff)
	}
}

func TestActCrashedMidWayAndRunAgainFinishesTheSame(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 80)
	r := f.restore()
	plan, err := f.planner().Plan(ctx, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.store.FailAfter = 2 // two batches of 25 land, then the store fails
	if _, err := f.actor().Act(ctx, r, plan, restore.Progress{}, nil); crm.KindOf(err) != crm.Unavailable {
		t.Fatalf("Act() with a crash = %v, want the crash", err)
	}
	f.store.FailAfter = 0
	p, err := f.actor().Act(ctx, r, plan, restore.Progress{}, nil)
	if err != nil {
		t.Fatalf("Act() again = %v", err)
	}
	if p.Done != plan.Total() || p.Changed != 0 {
		t.Errorf("Act() again = %+v, want all %d done, none changed", p, plan.Total())
	}
	if diff := cmp.Diff(f.atPoint, f.store.Records(tenant)); diff != "" {
		t.Errorf("the tenant's records after the re-run (-point +got):\n%s", diff)
	}
}

func TestActLeavesARecordChangedAfterThePlanAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 8)
	r := f.restore("anna")
	plan, err := f.planner().Plan(ctx, r, []string{"anna"})
	if err != nil {
		t.Fatal(err)
	}
	edited := rec("c-005", 3, "", "Dresden")
	f.store.BeforeRestore = func([]crm.RestoreWrite) { f.store.Put(tenant, "anna", edited) }
	p, err := f.actor().Act(ctx, r, plan, restore.Progress{}, nil)
	if err != nil {
		t.Fatalf("Act() = %v", err)
	}
	if p.Changed != 1 || p.Done != plan.Total()-1 {
		t.Errorf("Act() = %+v, want 1 changed and %d done", p, plan.Total()-1)
	}
	if got := f.store.Records(tenant)["anna"]["customers/c-005"]; !cmp.Equal(got, edited) {
		t.Errorf("the record changed after the plan = %+v, want left as %+v", got, edited)
	}
}

func TestActWaitsForAnImportHoldingTheUsersLease(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 8)
	r := f.restore("anna")
	plan, err := f.planner().Plan(ctx, r, []string{"anna"})
	if err != nil {
		t.Fatal(err)
	}
	l := crm.Lease{Tenant: tenant, User: "anna", Entity: "customers", Holder: "imp-c"}
	l.Until = l.Until.AddDate(3000, 0, 0)
	if err := f.leases.Acquire(ctx, l); err != nil {
		t.Fatal(err)
	}
	_, err = f.actor().Act(ctx, r, plan, restore.Progress{}, nil)
	if crm.KindOf(err) != crm.Busy || crm.HolderOf(err) != "imp-c" {
		t.Errorf("Act() under import imp-c's lease = %v, want Busy waiting for imp-c", err)
	}
	if n := f.store.Calls(); n != 0 {
		t.Errorf("Act() under another's lease wrote %d times, want none", n)
	}
}
