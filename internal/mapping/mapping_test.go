package mapping

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
)

func TestMapMatchesTitlesInEveryLanguage(t *testing.T) {
	tests := []struct {
		name   string
		entity *schema.Entity
		header []string
		want   []string
	}{
		{"german with umlauts and punctuation", &schema.Customers,
			[]string{"Kd.-Nr.", "Firmenname", "Straße", "PLZ", "Ort", "E-Mail", "Letzter Besuch", "Umsatz"},
			[]string{"customer_number", "name", "street", "postcode", "city", "email", "last_visit", "revenue"}},
		{"case, accents and spacing ignored", &schema.Customers,
			[]string{"  STRASSE ", "code postal", "ULTIMA VISITA", "e mail"},
			[]string{"street", "postcode", "last_visit", "email"}},
		{"french portatour update of the visit interval, titles as the seed writes them", &schema.Customers,
			[]string{"Numéro de client", "Intervalle de visite", "Dernière visite", "Dernière tentative", "ID externe"},
			[]string{"customer_number", "visit_interval", "last_visit", "last_attempt", "external_id"}},
		{"italian portatour titles", &schema.Customers,
			[]string{"Codice cliente", "Ragione sociale", "Intervallo di visita", "Ultima visita", "Ultimo tentativo"},
			[]string{"customer_number", "name", "visit_interval", "last_visit", "last_attempt"}},
		{"swedish 24SevenOffice titles", &schema.Customers,
			[]string{"Kundnummer", "Namn", "Postadress", "Postnummer", "Postort", "Land", "E-post", "Telefon"},
			[]string{"customer_number", "name", "street", "postcode", "city", "country", "email", "phone"}},
		{"portuguese processoagil template", &schema.Customers,
			[]string{"Nome/Razão Social", "CPF/CNPJ", "Celular", "Telefone", "E-mail principal", "Grupo", "Nome fantasia"},
			[]string{"name", "national_id", "mobile", "phone", "email", "group", "trade_name"}},
		{"polish Livespace titles", &schema.Contacts,
			[]string{"Imię", "Nazwisko", "Firma", "Stanowisko", "Miejscowość"},
			[]string{"first_name", "last_name", "company", "job_title", "city"}},
		{"zoho contacts export", &schema.Contacts,
			[]string{"Record Id", "Contact Owner", "First Name", "Last Name", "Account Name", "Mailing Street", "Mailing Zip", "Mailing City"},
			[]string{"external_id", "owner", "first_name", "last_name", "company", "street", "postcode", "city"}},
		{"zoho deals export", &schema.Deals,
			[]string{"Deal Name", "Amount", "Closing Date", "Stage", "Account Name", "Deal Owner", "Probability (%)"},
			[]string{"name", "amount", "close_date", "stage", "company", "owner", "probability"}},
		{"zoho accounts export", &schema.Companies,
			[]string{"Account Name", "Account Number", "Billing Street", "Billing Code", "Annual Revenue", "Account Owner"},
			[]string{"name", "customer_number", "street", "postcode", "revenue", "owner"}},
		{"a person links to its company by number", &schema.Contacts,
			[]string{"Förnamn", "Efternamn", "Kundnummer", "Företag"},
			[]string{"first_name", "last_name", "company_number", "company"}},
		{"french person form: Nom is the surname", &schema.Contacts,
			[]string{"Prénom", "Nom"}, []string{"first_name", "last_name"}},
		{"french customer form: Nom is the customer", &schema.Customers,
			[]string{"Nom", "Prénom"}, []string{"name", "first_name"}},
		{"storage names of our own export", &schema.Customers,
			[]string{"customer_number", "last_visit", "agent_email"},
			[]string{"customer_number", "last_visit", "agent_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Map(tt.entity, tt.header, nil)
			if err != nil {
				t.Fatalf("Map(%q) error: %v", tt.header, err)
			}
			if got := r.Fields(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Map(%q) = %q, want %q", tt.header, got, tt.want)
			}
			if len(r.Unmapped) != 0 {
				t.Errorf("Map(%q).Unmapped = %q, want none", tt.header, r.Unmapped)
			}
		})
	}
}

func TestMapListsUnmappedColumnsAndMissingRequiredFields(t *testing.T) {
	r, err := Map(&schema.Customers, []string{"Ort", "Lieblingsfarbe", "", "PLZ"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Lieblingsfarbe"}; !reflect.DeepEqual(r.Unmapped, want) {
		t.Errorf("Unmapped = %q, want %q", r.Unmapped, want)
	}
	if want := []string{"name"}; !reflect.DeepEqual(r.Missing, want) {
		t.Errorf("Missing = %q, want %q", r.Missing, want)
	}
	if got := r.Columns[1].How; got != Unmapped {
		t.Errorf("Columns[1].How = %q, want %q", got, Unmapped)
	}
}

func TestMapOverrides(t *testing.T) {
	header := []string{"Kunde Nr", "Bezeichnung", "E-Mail", "Mail privat"}
	overrides := map[string]string{
		"kunde nr":    "customer_number", // matched like a title: case and spacing ignored
		"Bezeichnung": "name",
		"Mail privat": Ignore,
	}
	r, err := Map(&schema.Customers, header, overrides)
	if err != nil {
		t.Fatal(err)
	}
	want := []Column{
		{0, "Kunde Nr", "customer_number", ByOverride},
		{1, "Bezeichnung", "name", ByOverride},
		{2, "E-Mail", "email", ByTitle},
		{3, "Mail privat", "", Ignored},
	}
	if !reflect.DeepEqual(r.Columns, want) {
		t.Errorf("Map(%q, %v).Columns = %+v, want %+v", header, overrides, r.Columns, want)
	}
	if len(r.Unmapped) != 0 || len(r.Missing) != 0 || len(r.Unused) != 0 {
		t.Errorf("Unmapped, Missing, Unused = %q, %q, %q, want none", r.Unmapped, r.Missing, r.Unused)
	}
}

func TestMapListsOverridesNoColumnHas(t *testing.T) {
	r, err := Map(&schema.Customers, []string{"Name", "Kunde Nr"}, map[string]string{"kunde nr": "customer_number", "Kd-Nummer": "customer_number", "Alt": Ignore})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Alt", "Kd-Nummer"}; !reflect.DeepEqual(r.Unused, want) {
		t.Errorf("Unused = %q, want %q", r.Unused, want)
	}
}

func TestMapOverrideCanMoveATitleToAnotherField(t *testing.T) {
	r, err := Map(&schema.Customers, []string{"Name", "Telefon"}, map[string]string{"Telefon": "mobile"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Fields(), []string{"name", "mobile"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
}

func TestMapRefusesTwoColumnsForOneField(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		field     string
		wantCols  []string // the columns' labels
	}{
		{"two titles of one field", []string{"Name", "E-Mail", "Email"}, nil, "email", []string{`column B "E-Mail"`, `column C "Email"`}},
		{"an override onto a mapped field", []string{"Name", "Telefon", "Handy"}, map[string]string{"Handy": "phone"}, "phone", []string{`column B "Telefon"`, `column C "Handy"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Map(&schema.Customers, tt.header, tt.overrides)
			if crm.KindOf(err) != crm.Invalid {
				t.Fatalf("Map(%q) error = %v, want an %s error", tt.header, err, crm.Invalid)
			}
			// The message names the field and exactly these columns, in order.
			want := fmt.Sprintf("%s all map to the field %q;", strings.Join(tt.wantCols, " and "), tt.field)
			if !strings.HasPrefix(crm.Message(err), want) {
				t.Errorf("Map(%q) error = %q, want it to start %q", tt.header, err, want)
			}
		})
	}
	// Ignoring one of the two resolves it.
	r, err := Map(&schema.Customers, []string{"Name", "E-Mail", "Email"}, map[string]string{"Email": Ignore})
	if err != nil {
		t.Fatalf("Map with %q ignored: %v", "Email", err)
	}
	if got, want := r.Fields(), []string{"name", "email", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("Map with %q ignored = %q, want %q", "Email", got, want)
	}
}

func TestMapRefusesOverrideToUnknownField(t *testing.T) {
	_, err := Map(&schema.Customers, []string{"Name"}, map[string]string{"Name": "nickname"})
	if crm.KindOf(err) != crm.Invalid || !strings.Contains(crm.Message(err), `names the field "nickname"`) {
		t.Errorf("Map error = %v, want an %s error for the field nickname", err, crm.Invalid)
	}
}

func TestColumnLabelNamesTheColumnByItsLetters(t *testing.T) {
	tests := map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA"}
	for in, want := range tests {
		c := Column{Index: in}
		if got, want := c.Label(), "column "+want+" (no title)"; got != want {
			t.Errorf("Column{Index: %d}.Label() = %q, want %q", in, got, want)
		}
	}
}
