package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestSplitsStateStaysTheSameSizeWhateverTheUsers: split hands the Map
// its users in a manifest in S3, so the state (Finalize's input at the
// end) weighs the same for 2 users as for 1,000; the manifest lists every
// user with their rows.
func TestSplitsStateStaysTheSameSizeWhateverTheUsers(t *testing.T) {
	sizes := map[int]int{}
	for _, users := range []int{2, 1000} {
		t.Run(fmt.Sprintf("%d users", users), func(t *testing.T) {
			f := newFixture(t)
			f.tenants.PutProfile(tenant, crm.Profile{MaxUsers: users})
			var file strings.Builder
			file.WriteString("Customer number,Name,Agent email\n")
			for i := range users {
				f.tenants.PutUser(tenant, crm.User{ID: fmt.Sprintf("u-%04d", i), Email: fmt.Sprintf("agent%d@acme.example", i)})
				fmt.Fprintf(&file, "%d,Customer %d,agent%d@acme.example\n", 1000+i, i, i)
			}
			s, err := f.split().Handle(context.Background(), f.validatedAs(t, file.String(), "administrator", ""))
			if err != nil {
				t.Fatalf("Split.Handle = %v", err)
			}
			data, _ := json.Marshal(s)
			sizes[users] = len(data)
			items := f.mapItems(t, s)
			if s.Map == nil || s.Map.Key != s.work().Items() || s.Map.Users != users || len(items) != users {
				t.Fatalf("Split.Handle map = %+v with %d items, want %s listing %d users", s.Map, len(items), s.work().Items(), users)
			}
			seen := map[string]bool{}
			for _, u := range items {
				if u.Rows == 1 {
					seen[u.ID] = true
				}
			}
			if last := fmt.Sprintf("u-%04d", users-1); len(seen) != users || !seen[last] {
				t.Errorf("items = %d users with their row (%s among them: %v), want %d", len(seen), last, seen[last], users)
			}
		})
	}
	// A count's digits may differ, nothing more.
	if d := sizes[1000] - sizes[2]; d > 8 {
		t.Errorf("split's state = %d bytes for 1,000 users, %d for 2, want the same size but for the counts' digits", sizes[1000], sizes[2])
	}
}

// TestImportAllHandsTheMapTheUsersLeft: after some users were decided
// one by one, import-all writes a manifest of the users left, and
// Finalize lists the users applied one by one and those of the Map,
// reading the Map's results from S3.
func TestImportAllHandsTheMapTheUsersLeft(t *testing.T) {
	plan := func(u crm.User) UserPlan {
		return UserPlan{UserTask: UserTask{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: u.ID, Email: u.Email}}, Entity: "customers"}
	}
	result := func(u crm.User) crm.UserResult {
		return crm.UserResult{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: u.ID}, Counts: crm.Counts{Created: 1}}
	}
	f := newFixture(t)
	n := f.next()
	s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
	s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
	s = step(t, n, ran(s, plan(anna)))
	s = step(t, n, answer(s, DecisionAnswer{Decision: DecideImport}))
	s = step(t, n, ran(s, result(anna)))
	s = step(t, n, ran(s, plan(bo)))
	s = step(t, n, answer(s, DecisionAnswer{Decision: DecideImportAll}))
	if items := f.mapItems(t, s); s.Wizard.Next != NextAll || len(items) != 1 || items[0].ID != bo.ID || s.Map.Users != 1 {
		t.Fatalf("Next.Handle = next %q, map %+v items %+v; want all over bo alone", s.Wizard.Next, s.Map, items)
	}
	// The workflow's way through the Map: its run, and bo's apply's result.
	s.MapRun = &MapRun{MapRunArn: "arn:aws:states:eu-central-1:123456789012:mapRun:import/EachUser:1"}
	r := result(bo)
	if err := putJSON(context.Background(), f.files, s.work().Result(bo.ID), r); err != nil {
		t.Fatal(err)
	}
	sum, err := f.finalize().Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Finalize.Handle = %v", err)
	}
	var got []string
	for _, u := range sum.Users {
		got = append(got, u.User.ID)
	}
	if sum.Status != crm.Succeeded || strings.Join(got, ",") != anna.ID+","+bo.ID {
		t.Errorf("summary = %s with users %v, want SUCCEEDED with %s (one by one) and %s (the Map)", sum.Status, got, anna.ID, bo.ID)
	}
	if j := f.job(t, s.ImportID); j.UserStatus[bo.ID] != crm.UserImported {
		t.Errorf("status of %s = %q, want %q", bo.ID, j.UserStatus[bo.ID], crm.UserImported)
	}
}

// TestFinalizeRefusesAMapThatLeftAUserWithoutResult: after a Map that
// succeeded every user's apply wrote its result; one missing is the
// pipeline's bug, never a user silently left out of the summary.
func TestFinalizeRefusesAMapThatLeftAUserWithoutResult(t *testing.T) {
	f := newFixture(t)
	s := State{ImportID: "imp-m", Tenant: tenant, Entity: "customers", Rows: 2}
	s = f.mapped(t, s, []crm.UserRef{{ID: anna.ID}, {ID: bo.ID}},
		[]crm.UserResult{{ImportID: "imp-m", Tenant: tenant, User: crm.UserRef{ID: anna.ID}, Counts: crm.Counts{Created: 1}}})
	f.createJob(t, s)
	if _, err := f.finalize().Handle(context.Background(), s); crm.KindOf(err) != crm.Internal || !strings.Contains(err.Error(), bo.ID) {
		t.Errorf("Finalize.Handle = %v, want an internal error naming %s", err, bo.ID)
	}
}
