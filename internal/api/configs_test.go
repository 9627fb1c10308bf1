package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

const (
	germanConfig = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "locale": "de-DE"}`
	dealsConfig  = `{"version":1,"entity":"deals"}`
	globexConfig = `{"version":1,"entity":"contacts","mode":"update_only","key_fields":["email"]}`
)

// configStore holds two configurations of acme and one of globex.
func configStore(t *testing.T) *crmtest.Tenants {
	t.Helper()
	tenants := crmtest.NewTenants()
	for _, c := range []struct{ tenant, name, json string }{
		{"acme", "nightly-deals", dealsConfig},
		{"acme", "customers-de", germanConfig},
		{"globex", "contacts", globexConfig},
	} {
		if err := tenants.SaveConfig(context.Background(), c.tenant, c.name, []byte(c.json)); err != nil {
			t.Fatalf("SaveConfig(%s) = %v", c.name, err)
		}
	}
	return tenants
}

// configRequest is a request on a configuration route by a user of tenant
// with the groups claim as API Gateway writes it ("": none).
func configRequest(method, name, tenant, groups, body string) events.APIGatewayV2HTTPRequest {
	claims := tenantClaims(tenant)
	if groups != "" {
		claims[GroupsClaim] = groups
	}
	route, path, params := method+" /configs", "/configs", map[string]string(nil)
	if name != "" {
		route, path, params = method+" /configs/{name}", "/configs/"+name, map[string]string{"name": name}
	}
	req := request(route, path, params, claims)
	req.RequestContext.HTTP.Method = method
	req.Body = body
	return req
}

func TestConfigRoutes(t *testing.T) {
	const refusal = `{"code":"refused","message":"only administrators and supervisors may change saved configurations"}`
	tests := []struct {
		name       string
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string // a JSON document the answer must equal
		// wantSaved is acme's customers-de afterwards ("-": deleted).
		wantSaved string
	}{
		{
			name:       "list gives names, entity and mode sorted by name",
			req:        configRequest("GET", "", "acme", "[user]", ""),
			wantStatus: 200,
			wantBody:   `{"configs":[{"name":"customers-de","entity":"customers","mode":"update"},{"name":"nightly-deals","entity":"deals","mode":"add"}]}`,
		},
		{
			name:       "list of a tenant without configurations is empty, not null",
			req:        configRequest("GET", "", "initech", "[administrator]", ""),
			wantStatus: 200,
			wantBody:   `{"configs":[]}`,
		},
		{
			name:       "list by a signed-in user without groups",
			req:        configRequest("GET", "", "globex", "", ""),
			wantStatus: 200,
			wantBody:   `{"configs":[{"name":"contacts","entity":"contacts","mode":"update_only"}]}`,
		},
		{
			name:       "get answers the JSON as saved",
			req:        configRequest("GET", "customers-de", "acme", "[user]", ""),
			wantStatus: 200,
			wantBody:   germanConfig,
		},
		{
			name:       "another tenant's configuration is not found",
			req:        configRequest("GET", "contacts", "acme", "[administrator]", ""),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"there is no saved import configuration named \"contacts\""}`,
		},
		{
			name:       "an administrator saves a new configuration",
			req:        configRequest("PUT", "customers-fr", "acme", "[administrator]", `{"version":1,"entity":"customers","locale":"fr-FR"}`),
			wantStatus: 200,
			wantBody:   `{"name":"customers-fr"}`,
		},
		{
			name:       "a supervisor replaces one, kept as written",
			req:        configRequest("PUT", "customers-de", "acme", `["supervisor"]`, "{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}\n"),
			wantStatus: 200,
			wantBody:   `{"name":"customers-de"}`,
			wantSaved:  "{\n  \"version\": 1,\n  \"entity\": \"customers\"\n}\n",
		},
		{
			name: "a base64-encoded body is decoded",
			req: func() events.APIGatewayV2HTTPRequest {
				r := configRequest("PUT", "customers-de", "acme", "[administrator supervisor]", base64.StdEncoding.EncodeToString([]byte(dealsConfig)))
				r.IsBase64Encoded = true
				return r
			}(),
			wantStatus: 200,
			wantBody:   `{"name":"customers-de"}`,
			wantSaved:  dealsConfig,
		},
		{
			name:       "a plain user may not save",
			req:        configRequest("PUT", "customers-de", "acme", "[user]", dealsConfig),
			wantStatus: 403,
			wantBody:   refusal,
		},
		{
			name:       "a user without groups may not save",
			req:        configRequest("PUT", "customers-de", "acme", "", dealsConfig),
			wantStatus: 403,
			wantBody:   refusal,
		},
		{
			name:       "a plain user may not delete (JSON array claim)",
			req:        configRequest("DELETE", "customers-de", "acme", `["user"]`, ""),
			wantStatus: 403,
			wantBody:   refusal,
		},
		{
			name:       "a configuration that is not JSON is refused with the problem",
			req:        configRequest("PUT", "customers-de", "acme", "[administrator]", `{"version":1,`),
			wantStatus: 400,
		},
		{
			name:       "a configuration config.Parse refuses is 400 naming the problem",
			req:        configRequest("PUT", "customers-de", "acme", "[administrator]", `{"version":1,"entity":"customers","mode":"sometimes"}`),
			wantStatus: 400,
		},
		{
			name:       "an unknown field is 400",
			req:        configRequest("PUT", "customers-de", "acme", "[administrator]", `{"version":1,"entity":"customers","colour":"red"}`),
			wantStatus: 400,
		},
		{
			name:       "an empty body is 400",
			req:        configRequest("PUT", "customers-de", "acme", "[administrator]", ""),
			wantStatus: 400,
		},
		{
			name:       "a name outside the safe alphabet is 400 naming the rule",
			req:        configRequest("GET", "kunden de", "acme", "[user]", ""),
			wantStatus: 400,
			wantBody:   `{"code":"invalid","message":"the configuration's name \"kunden de\" may hold only letters, digits, - _ and ."}`,
		},
		{
			name:       "a name with a slash is 400",
			req:        configRequest("PUT", "../globex", "acme", "[administrator]", dealsConfig),
			wantStatus: 400,
			wantBody:   `{"code":"invalid","message":"the configuration's name \"../globex\" may hold only letters, digits, - _ and ."}`,
		},
		{
			name:       "a name of 64 characters is allowed",
			req:        configRequest("PUT", strings.Repeat("a", 64), "acme", "[administrator]", dealsConfig),
			wantStatus: 200,
			wantBody:   `{"name":"` + strings.Repeat("a", 64) + `"}`,
		},
		{
			name:       "a name of 65 characters is 400 naming the limit",
			req:        configRequest("PUT", strings.Repeat("a", 65), "acme", "[administrator]", dealsConfig),
			wantStatus: 400,
			wantBody:   `{"code":"invalid","message":"the configuration's name \"` + strings.Repeat("a", 65) + `\" is 65 characters long: at most 64 are allowed"}`,
		},
		{
			name:       "an administrator deletes one",
			req:        configRequest("DELETE", "customers-de", "acme", "[administrator]", ""),
			wantStatus: 200,
			wantBody:   `{"name":"customers-de","deleted":true}`,
			wantSaved:  "-",
		},
		{
			name:       "deleting a missing configuration is 404",
			req:        configRequest("DELETE", "customers-fr", "acme", "[supervisor]", ""),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"there is no saved import configuration named \"customers-fr\""}`,
		},
		{
			name:       "deleting another tenant's configuration is 404",
			req:        configRequest("DELETE", "contacts", "acme", "[administrator]", ""),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"there is no saved import configuration named \"contacts\""}`,
		},
		{
			name:       "a token without a tenant is refused before the role is read",
			req:        configRequest("GET", "", "", "[administrator]", ""),
			wantStatus: 403,
			wantBody:   `{"code":"refused","message":"your sign-in names no tenant: ask your administrator to set the tenant of your user"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenants := configStore(t)
			h := &Handler{Jobs: crmtest.NewJobs(), Tenants: tenants}
			resp, err := h.Handle(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Handle(%s) error = %v, want nil", tt.req.RouteKey, err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("Handle(%s %s) status = %d, want %d (%s)", tt.req.RouteKey, tt.req.RawPath, resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if tt.wantBody != "" {
				if got, want := canonical(t, resp.Body), canonical(t, tt.wantBody); got != want {
					t.Errorf("Handle(%s %s) body = %s, want %s", tt.req.RouteKey, tt.req.RawPath, got, want)
				}
			}
			if resp.StatusCode == 400 {
				var body errorBody
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Code != crm.Invalid || body.Message == "" {
					t.Errorf("Handle(%s %s) = %s, want an invalid code and a message", tt.req.RouteKey, tt.req.RawPath, resp.Body)
				}
			}
			saved, err := tenants.Config(context.Background(), "acme", "customers-de")
			switch {
			case tt.wantSaved == "-" && crm.KindOf(err) != crm.NotFound:
				t.Errorf("Config(acme, customers-de) = %s, %v, want it deleted", saved, err)
			case tt.wantSaved != "-" && err != nil:
				t.Errorf("Config(acme, customers-de) = %v, want it kept", err)
			case tt.wantSaved != "-" && tt.wantSaved != "" && string(saved) != tt.wantSaved:
				t.Errorf("Config(acme, customers-de) = %q, want %q", saved, tt.wantSaved)
			case tt.wantSaved == "" && err == nil && string(saved) != germanConfig:
				t.Errorf("Config(acme, customers-de) = %q, want it unchanged %q", saved, germanConfig)
			}
			if theirs, err := tenants.Config(context.Background(), "globex", "contacts"); err != nil || string(theirs) != globexConfig {
				t.Errorf("Config(globex, contacts) = %s, %v, want it unchanged", theirs, err)
			}
		})
	}
}

func TestGetConfigAnswersTheJSONByteForByte(t *testing.T) {
	written := "{\n  \"version\": 1,\n  \"entity\": \"customers\",\n  \"locale\": \"de-DE\"\n}\n"
	h := &Handler{Jobs: crmtest.NewJobs(), Tenants: configStore(t)}
	for _, req := range []events.APIGatewayV2HTTPRequest{
		configRequest("PUT", "written", "acme", "[administrator]", written),
		configRequest("GET", "written", "acme", "[user]", ""),
	} {
		resp, err := h.Handle(context.Background(), req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("Handle(%s) = %d %s, %v, want 200", req.RouteKey, resp.StatusCode, resp.Body, err)
		}
		if req.RouteKey == "GET /configs/{name}" && resp.Body != written {
			t.Errorf("Handle(%s) body = %q, want %q as written", req.RouteKey, resp.Body, written)
		}
	}
}

func TestPutConfigWordsTheProblemsForTheTenant(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantMessage string // a part of the message
	}{
		{"an unknown mode names it", `{"version":1,"entity":"customers","mode":"sometimes"}`, "sometimes"},
		{"an unknown field names it", `{"version":1,"entity":"customers","colour":"red"}`, "colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handler{Jobs: crmtest.NewJobs(), Tenants: configStore(t)}
			resp, err := h.Handle(context.Background(), configRequest("PUT", "x", "acme", "[administrator]", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var body errorBody
			_ = json.Unmarshal([]byte(resp.Body), &body)
			if resp.StatusCode != 400 || !strings.Contains(body.Message, tt.wantMessage) {
				t.Errorf("PUT /configs/x %s = %d %q, want 400 naming %q", tt.body, resp.StatusCode, body.Message, tt.wantMessage)
			}
		})
	}
}

func TestConfigRoutesPassStoreFailuresOn(t *testing.T) {
	for _, method := range []string{"ListConfigs", "Config", "SaveConfig", "DeleteConfig"} {
		t.Run(method, func(t *testing.T) {
			tenants := configStore(t)
			tenants.FailNext(method, crm.Errorf(crm.Unavailable, "try again later"))
			h := &Handler{Jobs: crmtest.NewJobs(), Tenants: tenants}
			req := map[string]events.APIGatewayV2HTTPRequest{
				"ListConfigs":  configRequest("GET", "", "acme", "[user]", ""),
				"Config":       configRequest("GET", "customers-de", "acme", "[user]", ""),
				"SaveConfig":   configRequest("PUT", "customers-de", "acme", "[administrator]", dealsConfig),
				"DeleteConfig": configRequest("DELETE", "customers-de", "acme", "[administrator]", ""),
			}[method]
			resp, err := h.Handle(context.Background(), req)
			if err != nil || resp.StatusCode != 503 {
				t.Errorf("Handle(%s) with %s failing = %d, %v, want 503", req.RouteKey, method, resp.StatusCode, err)
			}
		})
	}
}
