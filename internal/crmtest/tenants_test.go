package crmtest

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestTenantsConfig(t *testing.T) {
	ctx := context.Background()
	tenants := NewTenants()
	tenants.SaveConfig(context.Background(), "acme", "de", []byte(`{"version":1}`))
	tests := []struct {
		name     string
		tenant   string
		config   string
		want     string
		wantKind crm.Kind
		wantMsg  string
	}{
		{"a saved configuration is returned as saved", "acme", "de", `{"version":1}`, "", ""},
		{"an unknown name is not found", "acme", "fr", "", crm.NotFound, `there is no saved import configuration named "fr"`},
		{"another tenant's configuration is not found", "globex", "de", "", crm.NotFound, `there is no saved import configuration named "de"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tenants.Config(ctx, tt.tenant, tt.config)
			if string(raw) != tt.want || crm.KindOf(err) != tt.wantKind {
				t.Errorf("Config(%s, %s) = %s, %v, want %s, kind %q", tt.tenant, tt.config, raw, err, tt.want, tt.wantKind)
			}
			if err != nil && crm.Message(err) != tt.wantMsg {
				t.Errorf("Config(%s, %s) message = %q, want %q", tt.tenant, tt.config, crm.Message(err), tt.wantMsg)
			}
		})
	}
}

func TestTenantsUsersAndProfile(t *testing.T) {
	ctx := context.Background()
	tenants := NewTenants()
	tenants.PutUser("acme", crm.User{ID: "u1", Email: "old@acme.example"})
	tenants.PutUser("acme", crm.User{ID: "u2", Email: "bo@acme.example"})
	tenants.PutUser("acme", crm.User{ID: "u1", Email: "anna@acme.example"})
	tenants.PutProfile("acme", crm.Profile{MaxRows: 5})

	users, err := tenants.Users(ctx, "acme")
	if err != nil || len(users) != 2 || users[0].Email != "anna@acme.example" {
		t.Errorf("Users(acme) = %+v, %v, want u1 replaced and u2", users, err)
	}
	if p, _ := tenants.Profile(ctx, "acme"); p.MaxRows != 5 {
		t.Errorf("Profile(acme) = %+v, want MaxRows 5", p)
	}
	if p, err := tenants.Profile(ctx, "globex"); p != (crm.Profile{}) || err != nil {
		t.Errorf("Profile(globex) = %+v, %v, want the zero profile", p, err)
	}
}

func TestTenantsPutUsersThroughThePort(t *testing.T) {
	ctx := context.Background()
	tenants := NewTenants()
	tenants.PutUser("acme", crm.User{ID: "u1", Email: "old@acme.example"})
	fields := map[string]string{"department": "Sales"}
	if err := tenants.PutUsers(ctx, "acme", []crm.User{{ID: "u1", Email: "anna@acme.example", Fields: fields}, {ID: "u2", Email: "bo@acme.example"}}); err != nil {
		t.Fatalf("PutUsers(acme) = %v, want nil", err)
	}
	fields["department"] = "changed after the put"
	users, err := tenants.Users(ctx, "acme")
	if err != nil || len(users) != 2 || users[0].Email != "anna@acme.example" || users[0].Fields["department"] != "Sales" || users[1].ID != "u2" {
		t.Errorf("Users(acme) = %+v, %v, want u1 replaced with its own copy of the fields, and u2", users, err)
	}
	tenants.FailNext("PutUsers", crm.Errorf(crm.Unavailable, "busy"))
	if err := tenants.PutUsers(ctx, "acme", nil); crm.KindOf(err) != crm.Unavailable {
		t.Errorf("PutUsers(a failing store) = %v, want unavailable", err)
	}
}
