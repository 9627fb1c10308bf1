// Package schema describes the entities a tenant can import: their fields,
// the type of each field, which fields are required, and the column titles
// each field is known by in the languages tenants write their spreadsheets in.
package schema

import (
	"sort"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
)

// Type is the kind of value a field holds; it decides how a cell is parsed.
type Type string

const (
	Text       Type = "text"
	Number     Type = "number"
	Date       Type = "date"
	DateTime   Type = "datetime"
	Email      Type = "email"
	Phone      Type = "phone"
	Enum       Type = "enum"
	Reference  Type = "reference"   // names a record of another entity (e.g. a company name)
	NationalID Type = "national_id" // Brazilian CPF (persons) or CNPJ (companies), with check digits
)

// Lang is a language whose column titles a field is known by. Zoho is not a
// language but the column titles of a Zoho CRM export, treated the same way.
type Lang string

const (
	EN   Lang = "en"
	DE   Lang = "de"
	FR   Lang = "fr"
	IT   Lang = "it"
	ES   Lang = "es"
	PT   Lang = "pt"
	PL   Lang = "pl"
	SV   Lang = "sv"
	Zoho Lang = "zoho"
)

// Langs lists the languages in the order templates and documentation use.
var Langs = []Lang{EN, DE, FR, IT, ES, PT, PL, SV, Zoho}

// Titles are the column titles a field is known by, per language. The first
// title of a language is the one a template in that language shows.
type Titles map[Lang][]string

// Value is one allowed value of an enum field, with the words tenants use
// for it; matching ignores case and accents.
type Value struct {
	Name   string   // canonical value stored
	Titles []string // other spellings, in any language
}

// Field is one attribute of an entity.
type Field struct {
	Name     string // snake_case storage name: stable, never renamed
	Type     Type
	Required bool   // a new record cannot be created without it
	Ref      string // for Reference fields: the entity referred to
	Values   []Value
	Titles   Titles
	Example  string // value shown in the template's example row
}

// Title returns the field's title in lang, falling back to English.
func (f Field) Title(lang Lang) string {
	if t := f.Titles[lang]; len(t) > 0 {
		return t[0]
	}
	if t := f.Titles[EN]; len(t) > 0 {
		return t[0]
	}
	return f.Name
}

// Entity is one kind of record a tenant imports.
type Entity struct {
	Name    string   // e.g. "customers"
	Aliases []string // other names accepted on the command line and in configurations
	Fields  []Field  // in template column order
}

// Field returns the entity's field called name.
func (e *Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

var registry = []*Entity{
	&Customers, &Contacts, &Companies, &Leads, &Deals, &Products,
	&Tasks, &Appointments, &Notes, &VisitReports, &Users,
}

// All returns every entity, in a stable order.
func All() []*Entity { return registry }

// Lookup finds an entity by its name or one of its aliases, compared as
// titles are (Fold): "Accounts" (a Zoho module) is companies, "Osoby" (a
// Livespace one) contacts, "visit-reports" visit_reports.
// No entity of that name is crm.Invalid, with the names there are.
func Lookup(name string) (*Entity, error) {
	key := Fold(name)
	for _, e := range registry {
		if key != "" && Fold(e.Name) == key {
			return e, nil
		}
		for _, a := range e.Aliases {
			if key != "" && Fold(a) == key {
				return e, nil
			}
		}
	}
	return nil, crm.Errorf(crm.Invalid, "unknown entity %q; known entities: %s", name, entityList())
}

func entityList() string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
