package e2e

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestAPIReadsAnImportsReportSummaryAndErrorFile: tenant A imports a file
// with one bad row and reads, through the deployed HTTP API, the check
// report (the row error), the summary and the error file (its line for
// the row); tenant B's token gets 404 on all three, as on a missing id.
func TestAPIReadsAnImportsReportSummaryAndErrorFile(t *testing.T) {
	st := newStack(t)
	apiURL := st.cloud.Output(t, "API_URL")
	pool := st.cloud.Output(t, "USER_POOL_ID")
	client := st.cloud.Output(t, "USER_POOL_CLIENT_ID")
	idp := cip.NewFromConfig(st.cloud.AWS)

	tenantA, tenantB := newTenant(t), newTenant(t)
	tokenA := login(t, idp, pool, client, tenantA)
	tokenB := login(t, idp, pool, client, tenantB)

	st.addUser(t, tenantA, anna)
	st.saveConfig(t, tenantA, "customers-de", germanCustomers)
	sample := string(readFile(t, "testdata/sample/customers.csv"))
	const bad = "zwölf"
	file := strings.Replace(sample, `"1.234,50"`, bad, 1) // row 2, Revenue
	if file == sample {
		t.Fatalf("the sample has no revenue 1.234,50 to spoil")
	}
	id := st.upload(t, tenantA, "customers", "customers.csv", []byte(file), "customers-de")
	if j := st.waitJob(t, tenantA, id); j.Status != crm.Succeeded {
		t.Fatalf("import %s = %s (%s), want SUCCEEDED", id, j.Status, j.Reason)
	}
	base := apiURL + "/imports/" + id

	var reported crm.RowError
	t.Run("A gets the report with the row error", func(t *testing.T) {
		var rep struct {
			Format, Encoding, Delimiter string
			Rows, Total, ErrorCount     int
			NextOffset                  *int
			Errors                      []crm.RowError
		}
		if code := call(t, base+"/report?limit=10", tokenA, &rep); code != http.StatusOK {
			t.Fatalf("GET %s/report as A = %d, want 200", base, code)
		}
		if rep.Format != "csv" || rep.Delimiter != "," || rep.Rows != 12 || rep.Total != 1 || rep.ErrorCount != 1 || rep.NextOffset != nil {
			t.Errorf("GET %s/report as A = %+v, want csv, \",\", 12 rows, one error, no next page", base, rep)
		}
		if len(rep.Errors) != 1 {
			t.Fatalf("GET %s/report as A errors = %+v, want one", base, rep.Errors)
		}
		reported = rep.Errors[0]
		if reported.Row != 2 || reported.Column != "Revenue" || reported.Value != bad || reported.Reason == "" {
			t.Errorf("GET %s/report as A error = %+v, want row 2, column Revenue, value %q and a reason", base, reported, bad)
		}
	})
	t.Run("A gets the summary", func(t *testing.T) {
		var sum struct {
			Status       crm.Status
			Counts       crm.Counts
			HasErrorFile bool
			Users        []struct {
				ID     string
				Counts crm.Counts
			}
		}
		if code := call(t, base+"/summary", tokenA, &sum); code != http.StatusOK {
			t.Fatalf("GET %s/summary as A = %d, want 200", base, code)
		}
		want := crm.Counts{Rows: 12, Invalid: 1, Created: 11}
		if sum.Status != crm.Succeeded || sum.Counts != want || !sum.HasErrorFile || len(sum.Users) != 1 || sum.Users[0].ID != anna.ID || sum.Users[0].Counts.Created != 11 {
			t.Errorf("GET %s/summary as A = %+v, want SUCCEEDED %+v with an error file, anna 11 created", base, sum, want)
		}
	})
	t.Run("A gets the error file with the bad row's line", func(t *testing.T) {
		code, header, body := get(t, base+"/errors", tokenA)
		if code != http.StatusOK {
			t.Fatalf("GET %s/errors as A = %d %q, want 200", base, code, body)
		}
		if ct, cd := header.Get("Content-Type"), header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(cd, "attachment") {
			t.Errorf("GET %s/errors as A = Content-Type %q, Content-Disposition %q, want text/csv, attachment", base, ct, cd)
		}
		lines, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatalf("GET %s/errors as A = %q, not CSV: %v", base, body, err)
		}
		want := []string{"2", "Revenue", bad, reported.Reason}
		if len(lines) != 2 || strings.Join(lines[1], "|") != strings.Join(want, "|") {
			t.Errorf("GET %s/errors as A = %q, want the header and %q", base, lines, want)
		}
	})
	for _, route := range []string{"report", "summary", "errors"} {
		t.Run("B gets 404 on A's "+route+", as on a missing import's", func(t *testing.T) {
			missing := strings.Repeat("0", len(id))
			var theirs, none map[string]string
			codeTheirs := call(t, base+"/"+route, tokenB, &theirs)
			codeNone := call(t, apiURL+"/imports/"+missing+"/"+route, tokenB, &none)
			if codeTheirs != http.StatusNotFound || theirs["code"] != string(crm.NotFound) {
				t.Errorf("GET %s/%s as B = %d %v, want 404 not_found", base, route, codeTheirs, theirs)
			}
			if codeNone != codeTheirs || strings.ReplaceAll(none["message"], missing, id) != theirs["message"] {
				t.Errorf("GET of a missing import's %s as B = %d %v, want the answer to A's id (%d %v)", route, codeNone, none, codeTheirs, theirs)
			}
		})
	}
}

// get GETs url with the bearer token and returns the status, the headers
// and the body as sent.
func get(t *testing.T, url, token string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("NewRequest(%s) = %v", url, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s = %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", url, err)
	}
	return resp.StatusCode, resp.Header, data
}
