package schema

import (
	"regexp"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"E-Mail", "email"},
		{"  e mail ", "email"},
		{"Straße", "strasse"},
		{"STRASSE", "strasse"},
		{"Código postal", "codigopostal"},
		{"Miejscowość", "miejscowosc"},
		{"Nº cliente", "nocliente"},
		{"Name *", "name"},
		{"Kd.-Nr.", "kdnr"},
		{"Probability (%)", "probability"},
		{"Årsomsättning", "arsomsattning"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// An entity whose titles collide would map a column to whichever field
// came first; every folded title must name exactly one field.
func TestEntitiesAreWellFormed(t *testing.T) {
	names := map[string]string{}
	for _, e := range All() {
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			n = Fold(n)
			if prev, ok := names[n]; ok {
				t.Errorf("entity name %q is used by %s and %s", n, prev, e.Name)
			}
			names[n] = e.Name
		}
		fields := map[string]bool{}
		titles := map[string]string{}
		required := 0
		for _, f := range e.Fields {
			if !snakeCase.MatchString(f.Name) || f.Name == "ignore" {
				t.Errorf("%s: field name %q is not a snake_case storage name", e.Name, f.Name)
			}
			if fields[f.Name] {
				t.Errorf("%s: field %q twice", e.Name, f.Name)
			}
			fields[f.Name] = true
			if f.Required {
				required++
			}
			if len(f.Titles[EN]) == 0 {
				t.Errorf("%s.%s: no English title", e.Name, f.Name)
			}
			if f.Example == "" {
				t.Errorf("%s.%s: no example for the template", e.Name, f.Name)
			}
			if (f.Type == Enum) != (len(f.Values) > 0) {
				t.Errorf("%s.%s: type %s with %d enum values", e.Name, f.Name, f.Type, len(f.Values))
			}
			if (f.Type == Reference) != (f.Ref != "") {
				t.Errorf("%s.%s: type %s refers to %q", e.Name, f.Name, f.Type, f.Ref)
			}
			if f.Ref != "" {
				if _, err := Lookup(f.Ref); err != nil {
					t.Errorf("%s.%s: %v", e.Name, f.Name, err)
				}
			}
			own := map[string]bool{Fold(f.Name): true}
			for _, list := range f.Titles {
				for _, title := range list {
					own[Fold(title)] = true
				}
			}
			for k := range own {
				if k == "" {
					t.Errorf("%s.%s: a title folds to nothing", e.Name, f.Name)
				}
				if other, ok := titles[k]; ok {
					t.Errorf("%s: title %q is known for both %s and %s", e.Name, k, other, f.Name)
				}
				titles[k] = f.Name
			}
			values := map[string]string{}
			for _, v := range f.Values {
				for _, s := range append([]string{v.Name}, v.Titles...) {
					k := Fold(s)
					if other, ok := values[k]; ok && other != v.Name {
						t.Errorf("%s.%s: value %q means both %s and %s", e.Name, f.Name, s, other, v.Name)
					}
					values[k] = v.Name
				}
			}
		}
		if required == 0 {
			t.Errorf("%s: no required field", e.Name)
		}
	}
}

func TestCustomersHaveTheFieldsTenantsImport(t *testing.T) {
	want := map[string]Type{
		"customer_number": Text, "external_id": Text, "name": Text, "street": Text,
		"postcode": Text, "city": Text, "country": Text, "email": Email, "phone": Phone,
		"tax_id": Text, "national_id": NationalID, "last_visit": Date, "last_attempt": Date,
		"revenue": Number, "group": Text, "agent_email": Email, "kind": Enum,
	}
	for name, typ := range want {
		f, ok := Customers.Field(name)
		if !ok {
			t.Errorf("Customers.Field(%q) not found", name)
			continue
		}
		if f.Type != typ {
			t.Errorf("Customers.Field(%q).Type = %s, want %s", name, f.Type, typ)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct{ name, want string }{
		{"customers", "customers"},
		{"accounts", "companies"},
		{"persons", "contacts"},
		{"opportunities", "deals"},
		{"visit_reports", "visit_reports"},
		{"Visit reports", "visit_reports"},
		{"Accounts", "companies"},
		{"Szanse sprzedaży", "deals"},
		{"Potentials", "deals"},
	}
	for _, tt := range tests {
		e, err := Lookup(tt.name)
		if err != nil || e.Name != tt.want {
			t.Errorf("Lookup(%q) = %v, %v, want %s", tt.name, e, err, tt.want)
		}
	}
	if _, err := Lookup("invoices"); err == nil {
		t.Errorf("Lookup(%q) = nil error, want an unknown entity error", "invoices")
	}
	// The tenant is told which entities there are.
	if _, err := Lookup("invoices"); crm.KindOf(err) != crm.Invalid || !strings.Contains(crm.Message(err), "customers, ") {
		t.Errorf("Lookup(%q) = %v (%s), want an %s error naming the entities", "invoices", err, crm.KindOf(err), crm.Invalid)
	}
}
