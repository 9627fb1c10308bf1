package e2e

import (
	"net/http"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/crm"
)

// After an import, the likely duplicates among its records and the
// tenant's others (every user's) are listed through the API: the same
// e-mail in another case against another user's record, the same phone
// within the file; the summary counts them. An existing pair the import
// did not touch is not listed, and a plain user may not read the report.
func TestDuplicatesOfAnImportAreListed(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	st.seed(t, tn, bo.ID, []seeded{
		{Entity: customers, ID: "nord", Version: 1, Fields: map[string]string{"name": "Nord", "email": "info@nord.example"}},
		{Entity: customers, ID: "x1", Version: 1, Fields: map[string]string{"name": "X", "email": "same@x.example"}},
		{Entity: customers, ID: "x2", Version: 1, Fields: map[string]string{"name": "X2", "email": "same@x.example"}},
	})
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", `+byAgent+`}`,
		"Name,Email,Telefon,Agent email\n"+
			"Nord AG,INFO@nord.example,,anna.berg@demo.example\n"+
			"Süd GmbH,,+49 30 123 4567,anna.berg@demo.example\n"+
			"Süd Filiale,,+49 30 1234567,anna.berg@demo.example\n"+
			"Ost KG,ost@ost.example,,anna.berg@demo.example\n")
	checkCounts(t, j, crm.Counts{Rows: 4, Created: 4})
	ids := map[string]string{} // name -> the id the import gave it
	for _, r := range st.records(t, tn, anna.ID) {
		ids[r.Fields["name"]] = r.ID
	}

	admin := newWizard(t, st, tn)
	var got struct {
		Checked, Total, WithinFile, Existing int
		Pairs                                []struct {
			A, B struct {
				ID, User, Name string
				Import         bool
			}
			Shared     map[string]string
			WithinFile bool
		}
	}
	if code := call(t, admin.api+"/imports/"+j.ID+"/duplicates", admin.token, &got); code != http.StatusOK {
		t.Fatalf("GET /imports/%s/duplicates = %d, want 200", j.ID, code)
	}
	if got.Checked != 7 || got.Total != 2 || got.WithinFile != 1 || got.Existing != 1 || len(got.Pairs) != 2 {
		t.Fatalf("duplicates = %+v, want 7 records compared, 2 pairs: 1 within the file, 1 against bo's", got)
	}
	within, existing := got.Pairs[0], got.Pairs[1]
	wantWithin := [2]string{min(ids["Süd GmbH"], ids["Süd Filiale"]), max(ids["Süd GmbH"], ids["Süd Filiale"])}
	if !within.WithinFile || [2]string{within.A.ID, within.B.ID} != wantWithin || !cmp.Equal(within.Shared, map[string]string{"phone": "+49301234567"}) {
		t.Errorf("first pair = %+v, want the two Süd records sharing +49301234567, within the file", within)
	}
	if existing.WithinFile || existing.A.ID != ids["Nord AG"] || existing.A.User != anna.ID || existing.B.ID != seedPrefix+"nord" || existing.B.User != bo.ID ||
		!cmp.Equal(existing.Shared, map[string]string{"email": "info@nord.example"}) {
		t.Errorf("second pair = %+v, want Nord AG (anna's, the import's) and bo's Nord sharing info@nord.example", existing)
	}

	var sum struct{ Duplicates int }
	if code := call(t, admin.api+"/imports/"+j.ID+"/summary", admin.token, &sum); code != http.StatusOK || sum.Duplicates != 2 {
		t.Errorf("GET summary = %d, duplicates %d; want 200, 2", code, sum.Duplicates)
	}
	idp := cip.NewFromConfig(st.cloud.AWS)
	plain := loginAs(t, idp, st.cloud.Output(t, "USER_POOL_ID"), st.cloud.Output(t, "USER_POOL_CLIENT_ID"), tn, tn+"-clerk", "user")
	var e map[string]string
	if code := call(t, admin.api+"/imports/"+j.ID+"/duplicates", plain, &e); code != http.StatusForbidden {
		t.Errorf("GET duplicates as a plain user = %d %v, want 403", code, e)
	}
}
