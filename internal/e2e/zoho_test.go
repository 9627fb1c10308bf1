package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/crm"
)

// A Zoho CRM export dropped with no configuration is recognised by its
// columns: its Record Id becomes the key (kept as the external id), its
// owner column gives each row to the user of that name. Importing the next
// export of the module updates the records instead of creating them again
// (Livespace's migration, ../shared/seeds/003_...).
func TestAZohoExportIsImportedTwiceWithoutDuplicates(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	annaNamed, boNamed := anna, bo
	annaNamed.Name, boNamed.Name = "Anna Berg", "Bo Ek"
	st.addUser(t, tn, annaNamed)
	st.addUser(t, tn, boNamed)
	// The accounts first: the contacts link to them by the account's name
	// (Livespace's order of a migration).
	accounts := "Record Id,Account Owner,Account Name,Billing City\n" +
		"zcrm_1001,Anna Berg,Nowak Sp. z o.o.,Kraków\n" +
		"zcrm_1002,Bo Ek,Kowalski SA,Gdańsk\n"
	ja := st.waitJob(t, tn, st.upload(t, tn, "companies", "Accounts_2026_11_01.csv", []byte(accounts), ""))
	checkCounts(t, ja, crm.Counts{Rows: 2, Created: 2})
	companyID := map[string]string{} // name -> record id
	for _, u := range []string{anna.ID, bo.ID} {
		for _, r := range st.records(t, tn, u) {
			companyID[r.Fields["name"]] = r.ID
		}
	}

	const header = "Record Id,Contact Owner,First Name,Last Name,Account Name,Email\n"
	first := header +
		"zcrm_5001,Anna Berg,Eva,Nowak,nowak  sp. z o.o.,eva@nowak.example\n" +
		"zcrm_5002,bo  ek,Jan,Kowalski,Kowalski SA,jan@kowalski.example\n" +
		"zcrm_5003,Carl Unknown,Ola,Lis,Lis SA,ola@lis.example\n" + // no such user: skipped
		"zcrm_5005,Anna Berg,Iga,Sowa,Nieznana SA,iga@sowa.example\n" // no such account: an error
	second := header +
		"zcrm_5001,Anna Berg,Eva,Nowak-Lis,nowak  sp. z o.o.,eva@nowak.example\n" + // renamed
		"zcrm_5002,bo  ek,Jan,Kowalski,Kowalski SA,jan@kowalski.example\n" + // the same
		"zcrm_5004,Anna Berg,Piotr,Zielinski,Nowak Sp. z o.o.,piotr@zielinski.example\n" // new

	j1 := st.waitJob(t, tn, st.upload(t, tn, "contacts", "Contacts_2026_11_01.csv", []byte(first), ""))
	if j1.Status != crm.Succeeded {
		t.Fatalf("first import = %s (%s), want SUCCEEDED", j1.Status, j1.Reason)
	}
	checkCounts(t, j1, crm.Counts{Rows: 4, Created: 2, Skipped: 1, Failed: 1})
	got := linesOfRow(st.errorLines(t, j1), "5")
	const unknown = "is the name of none of your companies, so the row cannot be linked to one: import the companies first, or correct the value"
	if len(got) != 1 || got[0][1] != "Account Name" || got[0][2] != "Nieznana SA" || got[0][3] != unknown {
		t.Errorf("error file lines of row 5 = %q, want one for Account Name, Nieznana SA, saying %q", got, unknown)
	}
	var rep check.Report
	if err := json.Unmarshal(st.object(t, crm.Work{Tenant: tn, ImportID: j1.ID}.Report()), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Preset, "Zoho CRM export of Contacts") || rep.AssignmentColumn != "Contact Owner" {
		t.Errorf("check report preset %q, assignment column %q; want the Zoho Contacts preset, Contact Owner", rep.Preset, rep.AssignmentColumn)
	}

	j2 := st.waitJob(t, tn, st.upload(t, tn, "contacts", "Contacts_2026_12_01.csv", []byte(second), ""))
	if j2.Status != crm.Succeeded {
		t.Fatalf("second import = %s (%s), want SUCCEEDED", j2.Status, j2.Reason)
	}
	checkCounts(t, j2, crm.Counts{Rows: 3, Created: 1, Updated: 1, Unchanged: 1})

	byExternal := func(user string) map[string]record {
		out := map[string]record{}
		for _, r := range st.records(t, tn, user) {
			if r.Entity == "contacts" {
				out[r.Fields["external_id"]] = r
			}
		}
		return out
	}
	annas, bos := byExternal(anna.ID), byExternal(bo.ID)
	if len(annas) != 2 || annas["zcrm_5001"].Fields["last_name"] != "Nowak-Lis" || annas["zcrm_5001"].Version != 2 || annas["zcrm_5004"].ImportID != j2.ID {
		t.Errorf("Anna's contacts = %+v, want zcrm_5001 updated to Nowak-Lis (version 2) and zcrm_5004 created by the second import", annas)
	}
	if len(bos) != 1 || bos["zcrm_5002"].Version != 1 || bos["zcrm_5002"].ImportID != j1.ID {
		t.Errorf("Bo's contacts = %+v, want zcrm_5002 as the first import wrote it", bos)
	}
	// Each contact is linked to its account by the account's record id.
	for _, c := range []struct {
		rec     record
		company string
	}{{annas["zcrm_5001"], "Nowak Sp. z o.o."}, {annas["zcrm_5004"], "Nowak Sp. z o.o."}, {bos["zcrm_5002"], "Kowalski SA"}} {
		if c.rec.Fields["company_id"] != companyID[c.company] || companyID[c.company] == "" {
			t.Errorf("contact %s links to %q, want %s's record %q", c.rec.Fields["external_id"], c.rec.Fields["company_id"], c.company, companyID[c.company])
		}
	}
}
