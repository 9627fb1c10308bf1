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
	const header = "Record Id,Contact Owner,First Name,Last Name,Account Name,Email\n"
	first := header +
		"zcrm_5001,Anna Berg,Eva,Nowak,Nowak Sp. z o.o.,eva@nowak.example\n" +
		"zcrm_5002,bo  ek,Jan,Kowalski,Kowalski SA,jan@kowalski.example\n" +
		"zcrm_5003,Carl Unknown,Ola,Lis,Lis SA,ola@lis.example\n"
	second := header +
		"zcrm_5001,Anna Berg,Eva,Nowak-Lis,Nowak Sp. z o.o.,eva@nowak.example\n" + // renamed
		"zcrm_5002,bo  ek,Jan,Kowalski,Kowalski SA,jan@kowalski.example\n" + // the same
		"zcrm_5004,Anna Berg,Piotr,Zielinski,Zielinski SA,piotr@zielinski.example\n" // new

	j1 := st.waitJob(t, tn, st.upload(t, tn, "contacts", "Contacts_2026_11_01.csv", []byte(first), ""))
	if j1.Status != crm.Succeeded {
		t.Fatalf("first import = %s (%s), want SUCCEEDED", j1.Status, j1.Reason)
	}
	checkCounts(t, j1, crm.Counts{Rows: 3, Created: 2, Skipped: 1})
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
			out[r.Fields["external_id"]] = r
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
}
