package steps

import (
	"context"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
)

func TestSplitGivesEachUserTheirRows(t *testing.T) {
	f := newFixture(t)
	in := f.validated(t, agentsCSV, "")

	s, err := f.split().Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	// Users come by e-mail; the row in error goes with its user, whose
	// plan reports it.
	wantUsers := []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}, {ID: bo.ID, Email: bo.Email, Rows: 1}}
	if !reflect.DeepEqual(f.mapItems(t, s), wantUsers) {
		t.Errorf("Handle() users = %+v, want %+v", f.mapItems(t, s), wantUsers)
	}
	files := []struct {
		key      string
		wantRows []int
	}{
		{s.work().UserRows(anna.ID), []int{2, 4}},
		{s.work().UserRows(bo.ID), []int{3}},
		{s.work().Unassigned(), []int{5}},
	}
	for _, file := range files {
		if got := rowNumbers(lines[crm.Row](t, f.files, file.key)); !reflect.DeepEqual(got, file.wantRows) {
			t.Errorf("rows of %s = %v, want %v", file.key, got, file.wantRows)
		}
	}
	if un := lines[crm.Row](t, f.files, s.work().Unassigned()); un[0].Assignee != "carl@acme.example" {
		t.Errorf("unassigned row's assignee = %q, want the value that matched nobody", un[0].Assignee)
	}
	var sel assign.Selection
	readWorkJSON(t, f, s.work().Selection(), &sel)
	if want := []assign.ValueRows{{Value: "carl@acme.example", Rows: 1}}; !reflect.DeepEqual(sel.Unmatched, want) {
		t.Errorf("selection.json unmatched = %+v, want %+v", sel.Unmatched, want)
	}
	if j := f.job(t, s.ImportID); j.Status != crm.Applying || j.Users != 2 || j.Total != 3 {
		t.Errorf("job = %s, %d users, total %d, want APPLYING, 2 users, total 3", j.Status, j.Users, j.Total)
	}
}

func TestSplitRefuses(t *testing.T) {
	const updateDelete = `{"version":1,"entity":"customers","mode":"update_delete","key_fields":["customer_number"],"assignment":{"column":"Agent email","by":"email"}}`
	tests := []struct {
		name        string
		config      string // saved as "sync" and named by the upload
		setup       func(*fixture)
		wantKind    crm.Kind
		wantMessage string
	}{
		{
			name: "update with deletion when a row reaches no user", config: updateDelete,
			wantKind: crm.Invalid, wantMessage: `some rows name no user of your CRM ("carl@acme.example": 1 rows); update with deletion would delete their records`,
		},
		{
			name: "more users than the stack allows", setup: func(f *fixture) { f.limits.MaxUsers = 1 },
			wantKind: crm.Refused, wantMessage: "the file assigns rows to 2 users; one import may hold at most 1 users: split the file",
		},
		{
			name: "more users than the tenant's profile allows", setup: func(f *fixture) { f.tenants.PutProfile(tenant, crm.Profile{MaxUsers: 1}) },
			wantKind: crm.Refused, wantMessage: "one import may hold at most 1 users",
		},
		{
			name: "a file that names none of the CRM's users", setup: func(f *fixture) { f.tenants = newTenantsWith(crm.User{ID: "u-dan", Email: "dan@acme.example"}) },
			wantKind: crm.Invalid, wantMessage: "no row matches a user of your CRM",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			name := ""
			if tt.config != "" {
				name = "sync"
				f.tenants.SaveConfig(context.Background(), tenant, name, []byte(tt.config))
			}
			in := f.validated(t, agentsCSV, name)
			if tt.setup != nil {
				tt.setup(f)
			}
			_, err := f.split().Handle(context.Background(), in)
			checkError(t, "Handle()", err, tt.wantKind, tt.wantMessage)
			if written := f.files.Keys(in.work().Prefix() + "users/"); len(written) > 0 {
				t.Errorf("refused split wrote %q, want no user's file", written)
			}
		})
	}
}

// An owner column assigns by name (a Zoho export's): a name two users share
// gives the row to neither, and the row's error says why, naming the value.
func TestSplitByNameRefusesANameTwoUsersShare(t *testing.T) {
	f := newFixture(t)
	f.tenants.PutUser(tenant, crm.User{ID: "u-jan1", Email: "jan1@acme.example", Name: "Jan Nowak"})
	f.tenants.PutUser(tenant, crm.User{ID: "u-jan2", Email: "jan2@acme.example", Name: "Jan Nowak"})
	f.tenants.PutUser(tenant, crm.User{ID: "u-eva", Email: "eva@acme.example", Name: "Eva Lis"})
	f.tenants.SaveConfig(context.Background(), tenant, "owners", []byte(`{"version":1,"entity":"customers","assignment":{"column":"Owner","by":"name"}}`))
	in := f.validated(t, "Name,Owner\nA GmbH,eva lis\nB GmbH,Jan Nowak\n", "owners")

	s, err := f.split().Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if len(f.mapItems(t, s)) != 1 || f.mapItems(t, s)[0].ID != "u-eva" || f.mapItems(t, s)[0].Rows != 1 {
		t.Errorf("Handle() users = %+v, want Eva with row 2", f.mapItems(t, s))
	}
	un := lines[crm.Row](t, f.files, s.work().Unassigned())
	want := []crm.RowError{{Row: 3, Column: "Owner", Value: "Jan Nowak",
		Reason: "names 2 users of your CRM, so the row cannot be given to one of them: name the sales agent by e-mail or employee number instead"}}
	if len(un) != 1 || !reflect.DeepEqual(un[0].Errors, want) {
		t.Errorf("unassigned rows = %+v, want row 3 with errors %+v", un, want)
	}
}
