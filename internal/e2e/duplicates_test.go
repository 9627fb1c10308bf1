package e2e

import (
	"net/http"
	"slices"
	"strings"
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
		{Entity: customers, ID: "padaria", Version: 1, Fields: map[string]string{"name": "Padaria", "national_id": "11222333000181"}},
		{Entity: customers, ID: "ost", Version: 1, Fields: map[string]string{"name": "Öst  KG", "postcode": "10115"}},
	})
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", `+byAgent+`}`,
		"Name,Email,Telefon,CPF/CNPJ,PLZ,Agent email\n"+
			"Nord AG,INFO@nord.example,,,,anna.berg@demo.example\n"+ // bo's Nord: the e-mail
			"Süd GmbH,,+49 30 123 4567,,,anna.berg@demo.example\n"+ // the next row: the phone
			"Süd Filiale,,+49 30 1234567,,,anna.berg@demo.example\n"+
			"Padaria Silva,,,11.222.333/0001-81,,anna.berg@demo.example\n"+ // bo's Padaria: the national id
			"Ost KG,ost@ost.example,,,10115,anna.berg@demo.example\n"+ // bo's Öst KG: name and postcode
			"West KG,west@west.example,,,10115,anna.berg@demo.example\n") // like nothing
	checkCounts(t, j, crm.Counts{Rows: 6, Created: 6})
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
	if got.Checked != 11 || got.Total != 4 || got.WithinFile != 1 || got.Existing != 3 || len(got.Pairs) != 4 {
		t.Fatalf("duplicates = %+v, want 11 records compared, 4 pairs: 1 within the file, 3 against bo's", got)
	}
	type pair struct{ a, aUser, b, bUser, shared, value string }
	var pairs []pair
	for _, p := range got.Pairs {
		if len(p.Shared) != 1 || p.WithinFile != (p.B.User == anna.ID) || !p.A.Import {
			t.Errorf("pair %+v: want one shared value, A the import's, within the file only between anna's records", p)
		}
		for k, v := range p.Shared {
			pairs = append(pairs, pair{p.A.ID, p.A.User, p.B.ID, p.B.User, k, v})
		}
	}
	lo, hi := min(ids["Süd GmbH"], ids["Süd Filiale"]), max(ids["Süd GmbH"], ids["Süd Filiale"])
	want := []pair{
		{lo, anna.ID, hi, anna.ID, "phone", "+49301234567"}, // within the file first
		{ids["Nord AG"], anna.ID, seedPrefix + "nord", bo.ID, "email", "info@nord.example"},
		{ids["Ost KG"], anna.ID, seedPrefix + "ost", bo.ID, "name_postcode", "ostkg 10115"},
		{ids["Padaria Silva"], anna.ID, seedPrefix + "padaria", bo.ID, "national_id", "11222333000181"},
	}
	slices.SortFunc(pairs[1:], func(x, y pair) int { return strings.Compare(x.shared, y.shared) })
	if !cmp.Equal(pairs, want, cmp.AllowUnexported(pair{})) {
		t.Errorf("pairs = %+v\nwant %+v", pairs, want)
	}

	var sum struct{ Duplicates int }
	if code := call(t, admin.api+"/imports/"+j.ID+"/summary", admin.token, &sum); code != http.StatusOK || sum.Duplicates != 4 {
		t.Errorf("GET summary = %d, duplicates %d; want 200, 4", code, sum.Duplicates)
	}
	idp := cip.NewFromConfig(st.cloud.AWS)
	plain := loginAs(t, idp, st.cloud.Output(t, "USER_POOL_ID"), st.cloud.Output(t, "USER_POOL_CLIENT_ID"), tn, tn+"-clerk", "user")
	var e map[string]string
	if code := call(t, admin.api+"/imports/"+j.ID+"/duplicates", plain, &e); code != http.StatusForbidden {
		t.Errorf("GET duplicates as a plain user = %d %v, want 403", code, e)
	}
}
