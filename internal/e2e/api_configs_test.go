package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/crmimport/crm-import/internal/crm"
)

// apiConfigSummary is one saved configuration in GET /configs.
type apiConfigSummary struct {
	Name   string   `json:"name"`
	Entity string   `json:"entity"`
	Mode   crm.Mode `json:"mode"`
}

// TestAPISavesConfigurationsPerTenantAndRole drives the configuration
// routes through the deployed pool and API: an administrator saves, lists,
// gets and deletes; a plain user reads but may not change; another
// tenant's administrator sees none of it; and an upload naming a
// configuration saved through the API imports with it.
func TestAPISavesConfigurationsPerTenantAndRole(t *testing.T) {
	st := newStack(t)
	apiURL := st.cloud.Output(t, "API_URL")
	pool := st.cloud.Output(t, "USER_POOL_ID")
	client := st.cloud.Output(t, "USER_POOL_CLIENT_ID")
	idp := cip.NewFromConfig(st.cloud.AWS)

	tenantA, tenantB := newTenant(t), newTenant(t)
	adminA := loginAs(t, idp, pool, client, tenantA, tenantA+"-boss", "administrator")
	userA := loginAs(t, idp, pool, client, tenantA, tenantA+"-clerk", "user")
	adminB := loginAs(t, idp, pool, client, tenantB, tenantB+"-boss", "administrator")
	if groups := claimsOf(t, adminA)["cognito:groups"]; groups == nil {
		t.Fatalf("A's administrator token has no cognito:groups claim: the role checks below would prove nothing")
	}
	configURL := apiURL + "/configs/customers-de"

	t.Run("the administrator saves a configuration", func(t *testing.T) {
		var saved map[string]any
		if code := send(t, http.MethodPut, configURL, adminA, germanCustomers, &saved); code != http.StatusOK || saved["name"] != "customers-de" {
			t.Fatalf("PUT /configs/customers-de as A's administrator = %d %v, want 200 naming it", code, saved)
		}
	})
	t.Run("a bad configuration is refused with its problem", func(t *testing.T) {
		var body map[string]string
		code := send(t, http.MethodPut, apiURL+"/configs/broken", adminA, `{"version":1,"entity":"customers","mode":"sometimes"}`, &body)
		if code != http.StatusBadRequest || body["code"] != string(crm.Invalid) || body["message"] == "" {
			t.Errorf("PUT /configs/broken as A's administrator = %d %v, want 400 invalid with the problem", code, body)
		}
	})
	for _, tt := range []struct{ who, token string }{{"the administrator", adminA}, {"the plain user", userA}} {
		t.Run(tt.who+" lists and gets it", func(t *testing.T) {
			var list struct{ Configs []apiConfigSummary }
			want := apiConfigSummary{Name: "customers-de", Entity: "customers", Mode: crm.Update}
			if code := send(t, http.MethodGet, apiURL+"/configs", tt.token, "", &list); code != http.StatusOK || len(list.Configs) != 1 || list.Configs[0] != want {
				t.Errorf("GET /configs as %s = %d %+v, want 200 and [%+v]", tt.who, code, list.Configs, want)
			}
			var got json.RawMessage // the answer, verbatim
			if code := send(t, http.MethodGet, configURL, tt.token, "", &got); code != http.StatusOK {
				t.Fatalf("GET /configs/customers-de as %s = %d, want 200", tt.who, code)
			}
			if string(got) != germanCustomers {
				t.Errorf("GET /configs/customers-de as %s = %q, want %q as saved", tt.who, got, germanCustomers)
			}
		})
	}
	t.Run("the plain user may not change it", func(t *testing.T) {
		var body map[string]string
		want := "only administrators and supervisors may change saved configurations"
		if code := send(t, http.MethodPut, configURL, userA, germanCustomers, &body); code != http.StatusForbidden || body["message"] != want {
			t.Errorf("PUT /configs/customers-de as A's plain user = %d %v, want 403 %q", code, body, want)
		}
		if code := send(t, http.MethodDelete, configURL, userA, "", &body); code != http.StatusForbidden || body["message"] != want {
			t.Errorf("DELETE /configs/customers-de as A's plain user = %d %v, want 403 %q", code, body, want)
		}
	})
	t.Run("B's administrator sees nothing of A's", func(t *testing.T) {
		var list struct{ Configs []apiConfigSummary }
		if code := send(t, http.MethodGet, apiURL+"/configs", adminB, "", &list); code != http.StatusOK || list.Configs == nil || len(list.Configs) != 0 {
			t.Errorf("GET /configs as B = %d %+v, want 200 and an empty list", code, list.Configs)
		}
		var body map[string]string
		if code := send(t, http.MethodGet, configURL, adminB, "", &body); code != http.StatusNotFound || body["code"] != string(crm.NotFound) {
			t.Errorf("GET /configs/customers-de as B = %d %v, want 404 not_found", code, body)
		}
		if code := send(t, http.MethodDelete, configURL, adminB, "", &body); code != http.StatusNotFound {
			t.Errorf("DELETE /configs/customers-de as B = %d %v, want 404", code, body)
		}
	})
	t.Run("an upload naming the saved configuration imports with it", func(t *testing.T) {
		st.addUser(t, tenantA, anna)
		id := st.upload(t, tenantA, "customers", "customers.csv", readFile(t, "testdata/sample/customers.csv"), "customers-de")
		if j := st.waitJob(t, tenantA, id); j.Status != crm.Succeeded || j.Counts.Created != 12 {
			t.Fatalf("import %s with the configuration saved through the API = %s %+v (%s), want SUCCEEDED with 12 created", id, j.Status, j.Counts, j.Reason)
		}
	})
	t.Run("the administrator deletes it, once", func(t *testing.T) {
		var body map[string]any
		if code := send(t, http.MethodDelete, configURL, adminA, "", &body); code != http.StatusOK {
			t.Fatalf("DELETE /configs/customers-de as A's administrator = %d %v, want 200", code, body)
		}
		if code := send(t, http.MethodGet, configURL, adminA, "", &body); code != http.StatusNotFound {
			t.Errorf("GET /configs/customers-de after the delete = %d %v, want 404", code, body)
		}
		if code := send(t, http.MethodDelete, configURL, adminA, "", &body); code != http.StatusNotFound {
			t.Errorf("DELETE /configs/customers-de again = %d %v, want 404", code, body)
		}
	})
}
