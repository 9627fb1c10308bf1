package preset

import (
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

func TestDetectRecognisesZohoModuleExports(t *testing.T) {
	tests := []struct {
		name       string
		entity     string
		file       string
		header     string
		wantModule string // "" when no preset applies
		wantOwner  string
	}{
		{"contacts by their owner column", "contacts", "export.csv", "Record Id,Contact Owner,First Name,Last Name,Email", "Contacts", "Contact Owner"},
		{"accounts imported as customers", "customers", "Accounts_001.csv", "Record Id,Account Owner,Account Name", "Accounts", "Account Owner"},
		{"deals", "deals", "deals.csv", "Record Id,Deal Owner,Deal Name,Amount", "Deals", "Deal Owner"},
		{"leads", "leads", "leads.xlsx", "Record Id,Lead Owner,Company,Last Name", "Leads", "Lead Owner"},
		{"products", "products", "p.csv", "Record Id,Product Owner,Product Name", "Products", "Product Owner"},
		{"titles as the file writes them, case and spacing aside", "contacts", "x.csv", " record id ,CONTACT OWNER,Last Name", "Contacts", "CONTACT OWNER"},
		{"two owner columns: the file's name tells the module", "contacts", "Zoho_Contacts_2026-11-30.csv", "Record Id,Account Owner,Contact Owner,Last Name", "Contacts", "Contact Owner"},
		{"no record id: not an export", "contacts", "c.csv", "Contact Owner,First Name,Last Name", "", ""},
		{"no owner column: not a module export", "contacts", "c.csv", "Record Id,First Name,Last Name", "", ""},
		{"an entity without an external id keeps its defaults", "users", "u.csv", "Record Id,Contact Owner,Email", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := config.Default(tt.entity)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Detect(base, tt.file, strings.Split(tt.header, ","))
			if err != nil {
				t.Fatalf("Detect() error = %v", err)
			}
			if tt.wantModule == "" {
				if p != nil {
					t.Fatalf("Detect() = %s, want no preset", p)
				}
				return
			}
			if p == nil {
				t.Fatalf("Detect() = nil, want the %s preset", tt.wantModule)
			}
			c := p.Config
			if p.Module != tt.wantModule || c.Entity != base.Entity || c.Mode != crm.Update || !slices.Equal(c.KeyFields, []string{"external_id"}) ||
				c.Assignment == nil || *c.Assignment != (config.Assignment{Column: tt.wantOwner, By: crm.ByName}) {
				t.Errorf("Detect() = module %s, %+v assignment %+v; want %s, the entity %s, update by external_id, %q by name",
					p.Module, c, c.Assignment, tt.wantModule, base.Entity, tt.wantOwner)
			}
			if base.Mode != crm.Add || base.Assignment != nil {
				t.Errorf("Detect() changed the configuration it was given: %+v", base)
			}
		})
	}
}

func TestPresetSaysWhatItDoes(t *testing.T) {
	base, _ := config.Default("contacts")
	p, err := Detect(base, "c.csv", []string{"Record Id", "Contact Owner", "Last Name"})
	if err != nil || p == nil {
		t.Fatalf("Detect() = %v, %v", p, err)
	}
	for _, want := range []string{"Zoho CRM export of Contacts", "mode update", `"Record Id"`, `"Contact Owner"`, "updates these records instead of creating them again"} {
		if !strings.Contains(p.String(), want) {
			t.Errorf("String() = %q, want it to say %q", p, want)
		}
	}
}
