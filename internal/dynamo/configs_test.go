package dynamo

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestTenantsListsSavesAndDeletesConfigsPerTenant(t *testing.T) {
	client, table, _ := newTable(t)
	tenants := NewTenants(client, table)
	ctx := context.Background()

	if list, err := tenants.ListConfigs(ctx, "acme"); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("ListConfigs(no configurations) = %v, %v, want an empty list", list, err)
	}
	for _, c := range []struct{ tenant, name, json string }{
		{"acme", "nightly", `{"version": 1, "entity": "deals"}`},
		{"acme", "customers-de", `{"version": 1, "entity": "customers", "locale": "de-DE"}`},
		{"globex", "theirs", `{"version": 1, "entity": "contacts"}`},
	} {
		if err := tenants.SaveConfig(ctx, c.tenant, c.name, []byte(c.json)); err != nil {
			t.Fatalf("SaveConfig(%s, %s) = %v", c.tenant, c.name, err)
		}
	}
	// A user and a profile share the partition: they are no configurations.
	if err := tenants.PutUser(ctx, "acme", crm.User{ID: "u1", Email: "anna@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if err := tenants.PutProfile(ctx, "acme", crm.Profile{MaxRows: 10}); err != nil {
		t.Fatal(err)
	}
	// Replacing keeps one configuration of the name, with the new JSON.
	replaced := `{"version": 1, "entity": "deals", "mode": "update"}`
	if err := tenants.SaveConfig(ctx, "acme", "nightly", []byte(replaced)); err != nil {
		t.Fatal(err)
	}

	list, err := tenants.ListConfigs(ctx, "acme")
	if err != nil {
		t.Fatalf("ListConfigs(acme) = %v", err)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.Name+" "+string(c.JSON))
	}
	want := []string{`customers-de {"version": 1, "entity": "customers", "locale": "de-DE"}`, "nightly " + replaced}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ListConfigs(acme) = %q, want %q", got, want)
	}

	if err := tenants.DeleteConfig(ctx, "globex", "nightly"); crm.KindOf(err) != crm.NotFound {
		t.Errorf("DeleteConfig(another tenant's) = %v, want not found", err)
	}
	if err := tenants.DeleteConfig(ctx, "acme", "nightly"); err != nil {
		t.Fatalf("DeleteConfig(acme, nightly) = %v, want nil", err)
	}
	if _, err := tenants.Config(ctx, "acme", "nightly"); crm.KindOf(err) != crm.NotFound {
		t.Errorf("Config(deleted) = %v, want not found", err)
	}
	if err := tenants.DeleteConfig(ctx, "acme", "nightly"); crm.KindOf(err) != crm.NotFound || crm.Message(err) != `there is no saved import configuration named "nightly"` {
		t.Errorf("DeleteConfig(deleted) = %v, want not found naming it", err)
	}
	if theirs, err := tenants.Config(ctx, "globex", "theirs"); err != nil || string(theirs) != `{"version": 1, "entity": "contacts"}` {
		t.Errorf("Config(globex, theirs) = %s, %v, want it untouched", theirs, err)
	}
}
