package steps

import (
	"context"
	"slices"
	"testing"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/outcome"
)

// staffCSV is a users file: anna (by her e-mail, in capitals) with a new
// employee number, carl who is new, and a row without a last name.
const staffCSV = "Employee number,Email,First name,Last name\n" +
	"E-10,ANNA@acme.example,Anna,Berg\n" +
	"E-3,carl@acme.example,Carl,Lund\n" +
	"E-4,dora@acme.example,Dora,\n"

// importUsers runs an import of the users entity through split, preview and
// apply under config (saved as "staff"), and returns the split state and
// the directory's row outcomes.
func (f *fixture) importUsers(t *testing.T, content, config string) (State, []outcome.Row) {
	t.Helper()
	ctx := context.Background()
	f.tenants.SaveConfig(context.Background(), tenant, "staff", []byte(config))
	key := crm.IncomingPrefix + tenant + "/users/staff.csv"
	f.files.Add(key, []byte(content), map[string]string{ConfigMetadata: "staff"})
	etag := crmtest.ETag([]byte(content))
	s := State{ImportID: crm.ImportID(uploadsName, key, "", etag), Tenant: tenant, Bucket: uploadsName, Key: key, ETag: etag, Entity: "users"}
	if _, err := f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: s.ImportID, Entity: s.Entity, Bucket: s.Bucket, Key: s.Key, Status: crm.Received}); err != nil {
		t.Fatalf("Create(%s) error = %v", s.ImportID, err)
	}
	s, err := f.validate().Handle(ctx, s)
	if err != nil {
		t.Fatalf("Validate.Handle() error = %v", err)
	}
	s, err = f.split().Handle(ctx, s)
	if err != nil {
		t.Fatalf("Split.Handle() error = %v", err)
	}
	if len(f.mapItems(t, s)) != 1 || f.mapItems(t, s)[0].ID != directory.ID {
		t.Fatalf("Split.Handle() users = %+v, want the user directory alone", f.mapItems(t, s))
	}
	task := UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: f.mapItems(t, s)[0]}
	p, err := f.preview().Handle(ctx, task)
	if err != nil {
		t.Fatalf("Preview.Handle() error = %v", err)
	}
	if _, err := f.apply().Handle(ctx, p); err != nil {
		t.Fatalf("Apply.Handle() error = %v", err)
	}
	return s, lines[outcome.Row](t, f.files, s.work().Outcomes(directory.ID))
}

func TestImportOfUsersWritesTheUserDirectory(t *testing.T) {
	carlID := UserID(tenant, "carl@acme.example")
	tests := []struct {
		name   string
		config string
		want   []outcome.Status // rows 2, 3, 4
		// wantAnna is anna's employee number afterwards.
		wantAnna string
		wantCarl bool
	}{
		{"add creates the new users and skips the existing e-mails", `{"version":1,"entity":"users"}`,
			[]outcome.Status{outcome.Skipped, outcome.Created, outcome.Error}, "E-1", true},
		{"update updates the existing users and creates the others", `{"version":1,"entity":"users","mode":"update","key_fields":["email"]}`,
			[]outcome.Status{outcome.Updated, outcome.Created, outcome.Error}, "E-10", true},
		{"update only updates the existing users alone", `{"version":1,"entity":"users","mode":"update_only","key_fields":["email"]}`,
			[]outcome.Status{outcome.Updated, outcome.Skipped, outcome.Skipped}, "E-10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, rows := f.importUsers(t, staffCSV, tt.config)
			// The row log is in plan order, by record ID; the want is by row.
			slices.SortFunc(rows, func(a, b outcome.Row) int { return a.Row - b.Row })
			var got []outcome.Status
			for _, r := range rows {
				got = append(got, r.Status)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("outcomes = %v, want %v (%+v)", got, tt.want, rows)
			}
			users, err := f.tenants.Users(context.Background(), tenant)
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]crm.User{}
			for _, u := range users {
				byID[u.ID] = u
			}
			if got := byID[anna.ID].EmployeeNumber; got != tt.wantAnna {
				t.Errorf("anna's employee number = %q, want %q", got, tt.wantAnna)
			}
			carl, ok := byID[carlID]
			if ok != tt.wantCarl {
				t.Fatalf("Users() has carl = %v, want %v: %+v", ok, tt.wantCarl, users)
			}
			if ok && (carl.Email != "carl@acme.example" || carl.EmployeeNumber != "E-3" || carl.Name != "Carl Lund") {
				t.Errorf("carl = %+v, want carl@acme.example, E-3, Carl Lund", carl)
			}
			if len(users) != 2+btoi(tt.wantCarl) {
				t.Errorf("Users() = %+v, want anna, bo and the created", users)
			}
		})
	}
}

func TestImportOfUsersByEmployeeNumberKeepsTheUsersID(t *testing.T) {
	f := newFixture(t)
	const config = `{"version":1,"entity":"users","mode":"update","key_fields":["employee_number"]}`
	_, rows := f.importUsers(t, "Employee number,Email,First name,Last name\nE-2,bo.new@acme.example,Bo,Ek\n", config)
	if len(rows) != 1 || rows[0].Status != outcome.Updated || rows[0].ID != bo.ID {
		t.Fatalf("outcomes = %+v, want bo's user updated", rows)
	}
	users, _ := f.tenants.Users(context.Background(), tenant)
	if i := slices.IndexFunc(users, func(u crm.User) bool { return u.ID == bo.ID }); i < 0 || users[i].Email != "bo.new@acme.example" {
		t.Errorf("Users() = %+v, want bo with his new e-mail", users)
	}
}

func TestImportOfUsersRefusesUpdateWithDeletion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.tenants.SaveConfig(context.Background(), tenant, "staff", []byte(`{"version":1,"entity":"users","mode":"update_delete","key_fields":["email"]}`))
	key := crm.IncomingPrefix + tenant + "/users/staff.csv"
	f.files.Add(key, []byte(staffCSV), map[string]string{ConfigMetadata: "staff"})
	etag := crmtest.ETag([]byte(staffCSV))
	s := State{ImportID: crm.ImportID(uploadsName, key, "", etag), Tenant: tenant, Bucket: uploadsName, Key: key, ETag: etag, Entity: "users"}
	if _, err := f.jobs.Create(ctx, crm.Job{Tenant: tenant, ID: s.ImportID, Entity: s.Entity, Bucket: s.Bucket, Key: s.Key, Status: crm.Received}); err != nil {
		t.Fatal(err)
	}
	s, err := f.validate().Handle(ctx, s)
	if err != nil {
		t.Fatalf("Validate.Handle() error = %v", err)
	}
	_, err = f.split().Handle(ctx, s)
	checkError(t, "Split.Handle()", err, crm.Invalid, "update with deletion cannot be used to import users")
}

func TestUserIDIsStableAndCaseInsensitive(t *testing.T) {
	tests := []struct {
		name         string
		tenant, mail string
		same         bool
	}{
		{"the same address in capitals", tenant, " CARL@acme.example", true},
		{"another address", tenant, "carla@acme.example", false},
		{"the same address at another tenant", "globex", "carl@acme.example", false},
	}
	want := UserID(tenant, "carl@acme.example")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UserID(tt.tenant, tt.mail); (got == want) != tt.same {
				t.Errorf("UserID(%s, %s) = %v, want equal to %v: %v", tt.tenant, tt.mail, got, want, tt.same)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestImportOfUsersFillsTheDirectoryOfATenantWithoutUsers(t *testing.T) {
	f := newFixture(t)
	f.tenants = newTenantsWith()
	_, rows := f.importUsers(t, "Email,First name,Last name\nanna@acme.example,Anna,Berg\n", `{"version":1,"entity":"users"}`)
	if len(rows) != 1 || rows[0].Status != outcome.Created || rows[0].ID != UserID(tenant, "anna@acme.example") {
		t.Fatalf("outcomes = %+v, want anna created under the id from her e-mail", rows)
	}
	if users, _ := f.tenants.Users(context.Background(), tenant); len(users) != 1 || users[0].Name != "Anna Berg" {
		t.Errorf("Users() = %+v, want Anna Berg alone", users)
	}
}

// TestTheUserDirectoryHasNoEmail: the pseudo-user of an import of users
// has an id and no e-mail: a view names it from the id, and a field
// meant for an address never holds words.
func TestTheUserDirectoryHasNoEmail(t *testing.T) {
	f := newFixture(t)
	s, _ := f.importUsers(t, staffCSV, `{"version":1,"entity":"users"}`)
	if u := f.mapItems(t, s)[0]; u.ID != DirectoryUser || u.Email != "" {
		t.Errorf("Split.Handle() user = %+v, want id %q and no e-mail", u, DirectoryUser)
	}
	var sel assign.Selection
	if err := readJSON(context.Background(), f.files, s.work().Selection(), &sel); err != nil {
		t.Fatal(err)
	}
	if len(sel.Users) != 1 || sel.Users[0].User.Email != "" {
		t.Errorf("selection = %+v, want the directory with no e-mail", sel.Users)
	}
}
