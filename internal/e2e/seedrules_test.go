package e2e

import (
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/outcome"
)

// portatour's own example (../shared/seeds/001_...): "Écraser" for the
// visit interval, "Garder" for the rest; the other fields are written only
// when the customer is new. Titles as the French article writes them.
func TestKeepWritesOnlyNewRecordsAndTheVisitIntervalIsUpdated(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.seed(t, tn, anna.ID, numbered)
	const cfg = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"],
		"default_policy": "keep", "policies": {"visit_interval": "overwrite"}, "locale": "fr-FR"}`
	file := "Numéro de client,Raison sociale,Ville,Groupe,Intervalle de visite\n" +
		"C-1,Müller AG,Potsdam,B,14\n" + // c1: only the interval changes
		"C-2,Rossi SpA,Milano,C,28\n" + // c2 has no group: keep leaves it empty
		"C-9,Neu SARL,Lyon,A,7\n" // new: every field written

	j := st.importFile(t, tn, cfg, file)

	checkCounts(t, j, crm.Counts{Rows: 3, Updated: 2, Created: 1})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered).
		update("c1", j.ID, map[string]string{"visit_interval": "14"}).
		update("c2", j.ID, map[string]string{"visit_interval": "28"}).
		create("C-9", customers, j.ID, map[string]string{"customer_number": "C-9", "name": "Neu SARL", "city": "Lyon", "group": "A", "visit_interval": "7"}))
}

// processoagil (../shared/seeds/004_...) requires "Celular e/ou Telefone":
// a new customer needs one of the two, either will do.
func TestANewRecordNeedsOneFieldOfARequiredGroup(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	const cfg = `{"version": 1, "entity": "customers", "required_one_of": [["mobile", "phone"]], "locale": "pt-BR"}`
	file := "Nome/Razão Social,Celular,Telefone\n" +
		"Padaria Silva,+55 11 98765-4321,\n" +
		"Mercado Souza,,+55 11 3333-4444\n" +
		"Loja Lima,,\n"

	st.saveConfig(t, tn, "cfg", cfg)
	id := st.upload(t, tn, customers, "clientes.csv", []byte(file), "cfg")
	j := st.waitJob(t, tn, id)

	checkCounts(t, j, crm.Counts{Rows: 3, Created: 2, Failed: 1})
	st.checkOutcomes(t, tn, j.ID, anna.ID, map[int]outcome.Status{2: outcome.Created, 3: outcome.Created, 4: outcome.Error}, 0)
	got := linesOfRow(st.errorLines(t, j), "4")
	const want = "are all empty, but a new record needs one of them"
	if len(got) != 1 || got[0][1] != "Celular, Telefone" || got[0][3] != want {
		t.Errorf("error file lines of row 4 = %q, want one for the columns \"Celular, Telefone\" saying %q", got, want)
	}
	if n := len(st.records(t, tn, anna.ID)); n != 2 {
		t.Errorf("records = %d, want 2 (Loja Lima not created)", n)
	}
}

// A field the tenant adds to the entity (Livespace) takes a column no
// built-in field takes, and is validated by its type like a built-in one.
func TestAFieldTheTenantAddsIsMappedAndValidated(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	const cfg = `{"version": 1, "entity": "customers", "locale": "de-DE", "fields": [
		{"name": "loyalty_tier", "type": "enum", "titles": ["Treuestufe"], "values": ["gold", "silber"]},
		{"name": "fleet_size", "type": "number", "titles": ["Fuhrpark"]}]}`
	file := "Name,Treuestufe,Fuhrpark\n" +
		"Nord AG,Gold,\"1.250\"\n" +
		"Süd KG,bronze,3\n"

	st.saveConfig(t, tn, "cfg", cfg)
	j := st.waitJob(t, tn, st.upload(t, tn, customers, "kunden.csv", []byte(file), "cfg"))

	checkCounts(t, j, crm.Counts{Rows: 2, Invalid: 1, Created: 1})
	recs := st.records(t, tn, anna.ID)
	if len(recs) != 1 || recs[0].Fields["loyalty_tier"] != "gold" || recs[0].Fields["fleet_size"] != "1250" {
		t.Errorf("records = %+v, want Nord AG with loyalty_tier gold and fleet_size 1250", recs)
	}
	got := linesOfRow(st.errorLines(t, j), "3")
	if len(got) != 1 || got[0][1] != "Treuestufe" || got[0][2] != "bronze" {
		t.Errorf("error file lines of row 3 = %q, want one for Treuestufe, bronze", got)
	}
}
