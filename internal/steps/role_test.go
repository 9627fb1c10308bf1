package steps

import (
	"context"
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// validatedAs uploads a customers file as POST /imports would have it:
// a job created by the caller by with their role, then validated.
func (f *fixture) validatedAs(t *testing.T, content, role, by string) State {
	t.Helper()
	ctx := context.Background()
	const id = "imp-00000000000000000000000001"
	key := "incoming/acme/customers/" + id + "/customers.csv"
	f.files.Add(key, []byte(content), nil)
	if _, err := f.jobs.Create(ctx, crm.Job{
		Tenant: tenant, ID: id, Entity: "customers", Bucket: uploadsName, Key: key, Status: crm.Received, Role: role, By: by,
	}); err != nil {
		t.Fatal(err)
	}
	s, err := f.validate().Handle(ctx, State{ImportID: id, Tenant: tenant, Bucket: uploadsName, Key: key, ETag: crmtest.ETag([]byte(content)), Entity: "customers"})
	if err != nil {
		t.Fatalf("Validate.Handle() error = %v", err)
	}
	return s
}

func TestSplitGivesAPlainUsersImportToThatUser(t *testing.T) {
	const noAgents = "Customer number,Name\n1001,Müller GmbH\n1002,Rossi S.r.l.\n"
	const ownAgent = "Customer number,Name,Agent email\n1001,Müller GmbH,anna@acme.example\n1002,Rossi S.r.l.,\n"
	tests := []struct {
		name      string
		content   string
		role      string
		wantUsers []crm.UserRef
	}{
		{"a user's file without an agent column is all theirs", noAgents, plainUser, []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}}},
		{"a user's agent column may name them, or no one", ownAgent, plainUser, []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}}},
		{"a supervisor's agent column assigns as it says", agentsCSV, "supervisor", []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}, {ID: bo.ID, Email: bo.Email, Rows: 1}}},
		{"an administrator's as well", agentsCSV, "administrator", []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}, {ID: bo.ID, Email: bo.Email, Rows: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s, err := f.split().Handle(context.Background(), f.validatedAs(t, tt.content, tt.role, "Anna@acme.example"))
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if !reflect.DeepEqual(f.mapItems(t, s), tt.wantUsers) {
				t.Errorf("Handle() users = %+v, want %+v", f.mapItems(t, s), tt.wantUsers)
			}
		})
	}
}

func TestSplitRefusesAPlainUsersImportForOthers(t *testing.T) {
	tests := []struct {
		name        string
		content     string
		by          string
		wantMessage string
	}{
		{
			name: "an agent column naming another user", content: agentsCSV, by: anna.Email,
			wantMessage: `row 3 names "bo@acme.example" as its sales agent, but you may import only your own records (as anna@acme.example)`,
		},
		{
			name: "an agent column naming no user at all", content: "Customer number,Name,Agent email\n1001,A,carl@acme.example\n", by: anna.Email,
			wantMessage: `row 2 names "carl@acme.example" as its sales agent`,
		},
		{
			name: "a caller who is not in the directory", content: "Customer number,Name\n1001,A\n", by: "eve@acme.example",
			wantMessage: "your sign-in (eve@acme.example) is not a user of your CRM",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := f.validatedAs(t, tt.content, plainUser, tt.by)
			_, err := f.split().Handle(context.Background(), in)
			checkError(t, "Handle()", err, crm.Refused, tt.wantMessage)
			if written := f.files.Keys(in.work().Prefix() + "users/"); len(written) > 0 {
				t.Errorf("refused split wrote %q, want no user's file", written)
			}
		})
	}
}

func TestSplitLetsOnlyAnAdministratorImportTheUsers(t *testing.T) {
	tests := []struct {
		role    string
		refused bool
	}{
		{"administrator", false},
		{"", false}, // a sync's drop
		{"supervisor", true},
		{plainUser, true},
	}
	for _, tt := range tests {
		t.Run("role "+tt.role, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			const id = "imp-00000000000000000000000002"
			key := "incoming/acme/users/" + id + "/staff.csv"
			f.files.Add(key, []byte(staffCSV), nil)
			if _, err := f.jobs.Create(ctx, crm.Job{
				Tenant: tenant, ID: id, Entity: "users", Bucket: uploadsName, Key: key, Status: crm.Received, Role: tt.role, By: anna.Email,
			}); err != nil {
				t.Fatal(err)
			}
			s, err := f.validate().Handle(ctx, State{ImportID: id, Tenant: tenant, Bucket: uploadsName, Key: key, ETag: crmtest.ETag([]byte(staffCSV)), Entity: "users"})
			if err != nil {
				t.Fatalf("Validate.Handle() error = %v", err)
			}
			_, err = f.split().Handle(ctx, s)
			if tt.refused {
				checkError(t, "Split.Handle()", err, crm.Refused, DirectoryRefusal)
				return
			}
			if err != nil {
				t.Errorf("Split.Handle() = %v, want the directory's rows split", err)
			}
		})
	}
}
