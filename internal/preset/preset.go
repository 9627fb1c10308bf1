// Package preset recognises a file another CRM exported and gives the
// import configuration that re-imports it with no manual step: Zoho CRM's
// module exports (Livespace's migration guide, ../shared/seeds/003_...).
// Importing the next export of the same module then updates the records
// the first one created instead of duplicating them, because the export's
// own record id is kept as the external id and is the key.
package preset

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
)

// Preset is a recognised export and the configuration it is imported with.
type Preset struct {
	// Source and Module name what the file is: "Zoho CRM", "Contacts".
	Source, Module string
	// Entity is the module's entity here; the file may be imported as
	// another (a tenant keeps Zoho's Accounts as customers).
	Entity string
	// Owner is the file's owner column, which names each record's user.
	Owner  string
	Config *config.Config
}

// String says in words what was recognised and what follows from it, for
// the check report.
func (p *Preset) String() string {
	if p.Source == Ours {
		how := fmt.Sprintf("each row stays with the user the column %q names", p.Owner)
		if p.Owner == "" {
			how = "the file has no user column, so its rows go to the one user they can"
		}
		return fmt.Sprintf("an export of this CRM's %s: imported in mode %s, each row updating the record its column %q names; %s; a configuration chosen for the import replaces these settings",
			p.Module, p.Config.Mode, schema.RecordIDTitle, how)
	}
	return fmt.Sprintf("%s export of %s: imported in mode %s with the key %s (the column %q, kept as the external id, so the next export updates these records instead of creating them again); each row's user is the one the column %q names by name; a configuration chosen for the import replaces these settings",
		p.Source, p.Module, p.Config.Mode, externalID, zohoID, p.Owner)
}

// Ours is the Source of a file this CRM exported.
const Ours = "crm-import"

const (
	zohoID     = "Record Id"
	externalID = "external_id"
)

// zohoModules are the Zoho CRM modules recognised, by the title of their
// owner column, with the entity each is imported as.
var zohoModules = []struct{ module, owner, entity string }{
	{"Accounts", "Account Owner", "companies"},
	{"Contacts", "Contact Owner", "contacts"},
	{"Deals", "Deal Owner", "deals"},
	{"Leads", "Lead Owner", "leads"},
	{"Products", "Product Owner", "products"},
}

// Detect recognises a Zoho CRM module export from its columns (its "Record
// Id" and the module's owner column) and, where several modules' owner
// columns could fit, from the file's name ("Contacts_2026_11_30.csv"). It
// returns nil for any other file. base is the configuration the file would
// be imported with otherwise (the entity's defaults): the preset keeps its
// entity and locale and sets mode, key and assignment.
func Detect(base *config.Config, fileName string, header []string) (*Preset, error) {
	titles := map[string]string{} // folded -> as the file writes it
	for _, h := range header {
		titles[schema.Fold(h)] = strings.TrimSpace(h)
	}
	if _, ok := titles[schema.Fold(schema.RecordIDTitle)]; ok {
		return ownExport(base, header)
	}
	if _, ok := titles[schema.Fold(zohoID)]; !ok {
		return nil, nil
	}
	name := schema.Fold(strings.TrimSuffix(filepath.Base(fileName), filepath.Ext(fileName)))
	found := -1
	for i, m := range zohoModules {
		if _, ok := titles[schema.Fold(m.owner)]; !ok {
			continue
		}
		if found < 0 || strings.Contains(name, schema.Fold(m.module)) {
			found = i
		}
	}
	if found < 0 {
		return nil, nil
	}
	m := zohoModules[found]
	e, err := schema.Lookup(base.Entity)
	if err != nil {
		return nil, err
	}
	if _, ok := e.Field(externalID); !ok {
		return nil, nil // an entity without an external id cannot keep Zoho's
	}
	cfg := *base
	cfg.Mode = crm.Update
	cfg.KeyFields = []string{externalID}
	cfg.Assignment = &config.Assignment{Column: titles[schema.Fold(m.owner)], By: crm.ByName}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Preset{Source: "Zoho CRM", Module: m.module, Entity: m.entity, Owner: cfg.Assignment.Column, Config: &cfg}, nil
}

// ownExport is the preset of a file this CRM exported (GET /exports): its
// first column is the record's own id, its second the user's e-mail, its
// others titled as the schema titles them, so it maps with no help and is
// matched on the id.
func ownExport(base *config.Config, header []string) (*Preset, error) {
	e, err := schema.Lookup(base.Entity)
	if err != nil {
		return nil, err
	}
	cfg := *base
	cfg.Mode = crm.Update
	cfg.KeyFields = []string{schema.RecordID}
	agent, _ := schema.Customers.Field("agent_email")
	owner := ""
	for _, h := range header {
		for _, ts := range agent.Titles {
			for _, t := range ts {
				if owner == "" && schema.Fold(t) == schema.Fold(h) {
					owner = strings.TrimSpace(h)
				}
			}
		}
	}
	if owner != "" {
		cfg.Assignment = &config.Assignment{Column: owner, By: crm.ByEmail}
		if _, ok := e.Field("agent_email"); ok {
			cfg.Mapping = map[string]string{owner: "ignore"} // the user, not a field of the record
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Preset{Source: Ours, Module: e.Name, Entity: e.Name, Owner: owner, Config: &cfg}, nil
}
