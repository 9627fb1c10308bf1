package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// 24SevenOffice keeps a company and one of its contacts on one row
// (../shared/seeds/002_...): with create_linked, a sheet of 10 companies
// and their 30 contacts creates each company once, however many rows
// repeat it, and links each contact to it; imported again, nothing
// changes.
func TestCompaniesAndTheirContactsOnOneRow(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	const cfg = `{"version": 1, "entity": "contacts", "mode": "update", "key_fields": ["email"], "create_linked": true, "locale": "sv-SE"}`
	var b strings.Builder
	b.WriteString("Företag;Kundnummer;Förnamn;Efternamn;E-post\n")
	for c := range 10 {
		for p := range 3 {
			fmt.Fprintf(&b, "Bolag %d AB;K-%d;Person;Nummer %d-%d;p%d-%d@bolag%d.example\n", c, c, c, p, c, p, c)
		}
	}
	st.saveConfig(t, tn, "cfg", cfg)
	j := st.waitJob(t, tn, st.upload(t, tn, "contacts", "kontakter.csv", []byte(b.String()), "cfg"))
	if j.Status != crm.Succeeded {
		t.Fatalf("import = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	checkCounts(t, j, crm.Counts{Rows: 30, Created: 30})

	companies := map[string]record{} // id -> company
	var contacts []record
	for _, r := range st.records(t, tn, anna.ID) {
		switch r.Entity {
		case "companies":
			companies[r.ID] = r
		case "contacts":
			contacts = append(contacts, r)
		}
	}
	if len(companies) != 10 || len(contacts) != 30 {
		t.Fatalf("records = %d companies, %d contacts; want 10 and 30", len(companies), len(contacts))
	}
	for _, c := range contacts {
		co, ok := companies[c.Fields["company_id"]]
		if !ok || co.Fields["name"] != c.Fields["company"] || co.Fields["customer_number"] != c.Fields["company_number"] || co.ImportID != j.ID {
			t.Errorf("contact %s links to %q (%+v), want the company %q created by the import", c.Fields["email"], c.Fields["company_id"], co, c.Fields["company"])
		}
	}
	admin := newWizard(t, st, tn)
	var sum struct{ Linked map[string]int }
	if code := call(t, admin.api+"/imports/"+j.ID+"/summary", admin.token, &sum); code != http.StatusOK || sum.Linked["companies"] != 10 {
		t.Errorf("summary = %d %+v, want 10 companies created to link to", code, sum)
	}

	again := st.waitJob(t, tn, st.upload(t, tn, "contacts", "kontakter-igen.csv", []byte(b.String()), "cfg"))
	checkCounts(t, again, crm.Counts{Rows: 30, Unchanged: 30})
	if n := len(st.records(t, tn, anna.ID)); n != 40 {
		t.Errorf("records after the second import = %d, want the same 40", n)
	}
}
