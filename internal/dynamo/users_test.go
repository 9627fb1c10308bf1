package dynamo

import (
	"context"
	"maps"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestTenantsPutUsersAddsAndReplacesUsersWithTheirFields(t *testing.T) {
	client, table, _ := newTable(t)
	tenants := NewTenants(client, table)
	ctx := context.Background()
	if err := tenants.PutUser(ctx, "acme", crm.User{ID: "u1", Email: "a@x.example"}); err != nil {
		t.Fatal(err)
	}
	put := []crm.User{
		{ID: "u1", Email: "a@x.example", EmployeeNumber: "E-1", Name: "Anna Berg", Fields: map[string]string{"email": "a@x.example", "department": "Sales"}},
		{ID: "u2", Email: "c@x.example", EmployeeNumber: "E-3", Name: "Carl Lund"},
	}
	if err := tenants.PutUsers(ctx, "acme", put); err != nil {
		t.Fatalf("PutUsers(acme) = %v, want nil", err)
	}
	users, err := tenants.Users(ctx, "acme")
	if err != nil || len(users) != 2 {
		t.Fatalf("Users(acme) = %+v, %v, want u1 replaced and u2", users, err)
	}
	for i, u := range users {
		w := put[i]
		if u.ID != w.ID || u.Email != w.Email || u.EmployeeNumber != w.EmployeeNumber || u.Name != w.Name || !maps.Equal(u.Fields, w.Fields) {
			t.Errorf("Users(acme)[%d] = %+v, want %+v", i, u, w)
		}
	}
	if users, _ := tenants.Users(ctx, "other"); len(users) != 0 {
		t.Errorf("Users(other) = %+v, want none", users)
	}
}
