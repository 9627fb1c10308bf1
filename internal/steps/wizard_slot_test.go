package steps

import (
	"context"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// slotHolder is the import holding the tenant's first running-import slot.
func (f *fixture) slotHolder() string {
	return f.leases.Holder(tenant, crm.ImportSlot(tenant, 0, "").User, crm.ImportSlot(tenant, 0, "").Entity)
}

// waited runs the wait step on s, as the workflow does before each answer.
func (f *fixture) waited(t *testing.T, s State) {
	t.Helper()
	if _, err := f.wait(time.Now()).Handle(context.Background(), WaitInput{State: s, Token: "tok"}); err != nil {
		t.Fatalf("Wait.Handle = %v", err)
	}
}

// TestAWaitForTheTenantGivesUpTheImportsSlot: an attended import waiting
// days for its tenant does not keep the tenant's other imports (a nightly
// sync) from running.
func TestAWaitForTheTenantGivesUpTheImportsSlot(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.tenants.PutProfile(tenant, crm.Profile{MaxRunningImports: 1})
	s := step(t, f.next(), f.wizardJob(t, "ada@acme.example", wizardConfig))
	if err := takeSlot(ctx, discard, f.leases, f.jobs, tenant, s.ImportID, 1); err != nil {
		t.Fatal(err)
	}
	f.waited(t, s)
	f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-sync", Status: crm.Received})
	if h := f.slotHolder(); h != "" {
		t.Errorf("slot held by %q during the wait for the selection, want no one", h)
	}
	if err := takeSlot(ctx, discard, f.leases, f.jobs, tenant, "imp-sync", 1); err != nil {
		t.Errorf("takeSlot(another import) during the wait = %v, want the slot", err)
	}
}

// TestNextTakesTheSlotAgainAfterAnAnswer: an answer that makes the import
// work (a preview, an apply, the Map) takes its slot again; one that ends
// it needs none.
func TestNextTakesTheSlotAgainAfterAnAnswer(t *testing.T) {
	plan := UserPlan{UserTask: UserTask{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: anna.ID, Email: anna.Email}}, Entity: "customers"}
	// decided waits for the decision on anna, then answers d.
	decided := func(t *testing.T, f *fixture, n *Next, d any) State {
		s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
		s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
		s = step(t, n, ran(s, plan))
		f.waited(t, s)
		return step(t, n, answer(s, d))
	}
	tests := []struct {
		name  string
		steps func(t *testing.T, f *fixture, n *Next) State
		next  string
		held  bool
	}{
		{"the selection, to preview the first user", func(t *testing.T, f *fixture, n *Next) State {
			s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
			f.waited(t, s)
			return step(t, n, answer(s, SelectionAnswer{Exclude: []string{bo.ID}}))
		}, NextPreview, true},
		{"import, to apply the user", func(t *testing.T, f *fixture, n *Next) State {
			return decided(t, f, n, DecisionAnswer{Decision: DecideImport})
		}, NextApply, true},
		{"import-all, to run the Map", func(t *testing.T, f *fixture, n *Next) State {
			return decided(t, f, n, DecisionAnswer{Decision: DecideImportAll})
		}, NextAll, true},
		{"back, to wait again", func(t *testing.T, f *fixture, n *Next) State {
			return decided(t, f, n, DecisionAnswer{Decision: DecideBack})
		}, NextWait, false},
		{"a selection excluding everyone, to close the job", func(t *testing.T, f *fixture, n *Next) State {
			s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
			f.waited(t, s)
			return step(t, n, answer(s, SelectionAnswer{Exclude: []string{anna.ID, bo.ID}}))
		}, NextFinalize, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := tt.steps(t, f, f.next())
			held := f.slotHolder() == s.ImportID
			if s.Wizard.Next != tt.next || held != tt.held {
				t.Errorf("Next.Handle = next %q, slot held %v; want %q, %v", s.Wizard.Next, held, tt.next, tt.held)
			}
		})
	}
}

// TestNextWaitsForASlotAfterAnAnswer: with every slot taken by the
// tenant's other imports, the answer waits (a Busy error the workflow
// retries) and the job says which import it waits for.
func TestNextWaitsForASlotAfterAnAnswer(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.tenants.PutProfile(tenant, crm.Profile{MaxRunningImports: 1})
	n := f.next()
	s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
	f.waited(t, s)
	f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-sync", Status: crm.Received})
	if err := takeSlot(ctx, discard, f.leases, f.jobs, tenant, "imp-sync", 1); err != nil {
		t.Fatal(err)
	}
	_, err := n.Handle(ctx, answer(s, SelectionAnswer{Exclude: []string{}}))
	checkError(t, "Next.Handle", err, crm.Busy, "waiting for import imp-sync")
	if j := f.job(t, s.ImportID); j.Waiting[WaitingForSlot] != "imp-sync" {
		t.Errorf("job waiting = %v, want the slot held by imp-sync", j.Waiting)
	}
}

// TestTheTotalLeavesOutWhatIsNotApplied: the rows of users excluded at
// the selection, skipped, or left when the tenant stops, leave the job's
// total, so a finished import's progress reaches it.
func TestTheTotalLeavesOutWhatIsNotApplied(t *testing.T) {
	ctx := context.Background()
	plan := UserPlan{UserTask: UserTask{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: anna.ID, Email: anna.Email, Rows: 2}}, Entity: "customers"}
	tests := []struct {
		name  string
		steps func(t *testing.T, f *fixture, n *Next, s State) State
		want  int
	}{
		{"bo excluded", func(t *testing.T, f *fixture, n *Next, s State) State {
			return step(t, n, answer(s, SelectionAnswer{Exclude: []string{bo.ID}}))
		}, 2},
		{"anna skipped, her planned deletions too", func(t *testing.T, f *fixture, n *Next, s State) State {
			s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
			f.jobs.SetDeletes(ctx, tenant, s.ImportID, anna.ID, 4)
			s = step(t, n, ran(s, plan))
			return step(t, n, answer(s, DecisionAnswer{Decision: DecideSkip}))
		}, 1},
		{"stopped at anna", func(t *testing.T, f *fixture, n *Next, s State) State {
			s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
			s = step(t, n, ran(s, plan))
			s = step(t, n, answer(s, DecisionAnswer{Decision: DecideBack}))
			return step(t, n, answer(s, ResumeAnswer{Action: ResumeStop}))
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			n := f.next()
			s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
			if err := f.jobs.Update(ctx, tenant, s.ImportID, crm.JobChange{Total: 3}); err != nil {
				t.Fatal(err)
			}
			s = tt.steps(t, f, n, s)
			if j := f.job(t, s.ImportID); j.Total != tt.want {
				t.Errorf("job total = %d, want %d", j.Total, tt.want)
			}
		})
	}
}
