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
	// Deals link to their account and their contact (by first and last
	// name, as Zoho's Contact Name writes them).
	deals := "Record Id,Deal Owner,Deal Name,Amount,Closing Date,Stage,Account Name,Contact Name\n" +
		"zcrm_7001,Anna Berg,Fleet renewal,12500.00,2027-01-31,Negotiation,Nowak Sp. z o.o.,Eva Nowak-Lis\n" +
		"zcrm_7002,Bo Ek,Printers,800.00,2026-12-20,Qualification,Kowalski SA,Jan Kowalski\n" +
		"zcrm_7003,Anna Berg,Lost cause,100.00,2026-12-01,Closed Lost,Gone Ltd,\n"
	jd := st.waitJob(t, tn, st.upload(t, tn, "deals", "Deals_2026_12_01.csv", []byte(deals), ""))
	checkCounts(t, jd, crm.Counts{Rows: 3, Created: 2, Failed: 1})
	if got := linesOfRow(st.errorLines(t, jd), "4"); len(got) != 1 || got[0][2] != "Gone Ltd" {
		t.Errorf("error file lines of deal row 4 = %q, want the account Gone Ltd named", got)
	}
	dealsOf := func(user string) map[string]record {
		out := map[string]record{}
		for _, r := range st.records(t, tn, user) {
			if r.Entity == "deals" {
				out[r.Fields["external_id"]] = r
			}
		}
		return out
	}
	for _, d := range []struct {
		rec              record
		company, contact string
	}{{dealsOf(anna.ID)["zcrm_7001"], companyID["Nowak Sp. z o.o."], annas["zcrm_5001"].ID}, {dealsOf(bo.ID)["zcrm_7002"], companyID["Kowalski SA"], bos["zcrm_5002"].ID}} {
		if d.rec.Fields["company_id"] != d.company || d.rec.Fields["contact_id"] != d.contact || d.contact == "" {
			t.Errorf("deal %s links to company %q and contact %q, want %q and %q", d.rec.Fields["external_id"], d.rec.Fields["company_id"], d.rec.Fields["contact_id"], d.company, d.contact)
		}
	}

	// The same three exports again: nothing to do.
	for _, again := range []struct{ entity, name, file string }{
		{"companies", "Accounts_2026_11_01.csv", accounts}, {"contacts", "Contacts_2026_12_01.csv", second}, {"deals", "Deals_2026_12_01.csv", deals},
	} {
		j := st.waitJob(t, tn, st.upload(t, tn, again.entity, "again-"+again.name, []byte(again.file), ""))
		if j.Counts.Created != 0 || j.Counts.Updated != 0 || j.Counts.Deleted != 0 {
			t.Errorf("%s imported again = %+v, want nothing created, updated or deleted", again.name, j.Counts)
		}
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
