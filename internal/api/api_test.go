package api

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// request is what API Gateway passes for a route matched with a verified
// token carrying claims.
func request(routeKey, path string, params map[string]string, claims map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: routeKey, RawPath: path, PathParameters: params}
	req.RequestContext.HTTP.Method = "GET"
	if claims != nil {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	return req
}

func tenantClaims(tenant string) map[string]string {
	return map[string]string{"sub": "u-1", TenantClaim: tenant}
}

// store holds two imports of acme, the second newer, and one of globex.
func store(t *testing.T) *crmtest.Jobs {
	t.Helper()
	jobs := crmtest.NewJobs()
	for _, j := range []crm.Job{
		{Tenant: "acme", ID: "imp-b", Entity: "customers", Key: "incoming/acme/customers/old.csv", Status: crm.Succeeded},
		{Tenant: "acme", ID: "imp-a", Entity: "deals", Key: "incoming/acme/deals/new.csv", Status: crm.Applying},
		{Tenant: "globex", ID: "imp-g", Entity: "customers", Key: "incoming/globex/customers/g.csv", Status: crm.Received},
	} {
		if ok, err := jobs.Create(context.Background(), j); !ok || err != nil {
			t.Fatalf("Create(%s) = %v, %v, want true", j.ID, ok, err)
		}
	}
	return jobs
}

func TestHandleAnswersTheCallersTenantOnly(t *testing.T) {
	tests := []struct {
		name       string
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string // a JSON document the answer must equal
	}{
		{
			name:       "list gives the tenant's imports newest first",
			req:        request("GET /imports", "/imports", nil, tenantClaims("acme")),
			wantStatus: 200,
			wantBody:   `{"ids":["imp-a","imp-b"]}`,
		},
		{
			name:       "list of a tenant without imports is empty, not null",
			req:        request("GET /imports", "/imports", nil, tenantClaims("initech")),
			wantStatus: 200,
			wantBody:   `{"ids":[]}`,
		},
		{
			name:       "get answers the tenant's import",
			req:        request("GET /imports/{id}", "/imports/imp-a", map[string]string{"id": "imp-a"}, tenantClaims("acme")),
			wantStatus: 200,
			wantBody:   `{"id":"imp-a","file":"new.csv","status":"APPLYING"}`,
		},
		{
			name:       "another tenant's import is not found",
			req:        request("GET /imports/{id}", "/imports/imp-g", map[string]string{"id": "imp-g"}, tenantClaims("acme")),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"import imp-g does not exist"}`,
		},
		{
			name:       "a missing import reads as another tenant's does",
			req:        request("GET /imports/{id}", "/imports/imp-x", map[string]string{"id": "imp-x"}, tenantClaims("acme")),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"import imp-x does not exist"}`,
		},
		{
			name: "a tenant header or query does not change the claims' tenant",
			req: func() events.APIGatewayV2HTTPRequest {
				r := request("GET /imports/{id}", "/imports/imp-g", map[string]string{"id": "imp-g"}, tenantClaims("acme"))
				r.Headers = map[string]string{"x-tenant": "globex"}
				r.QueryStringParameters = map[string]string{"tenant": "globex"}
				r.Body = `{"tenant":"globex"}`
				return r
			}(),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"import imp-g does not exist"}`,
		},
		{
			name:       "a token without a tenant claim is refused",
			req:        request("GET /imports", "/imports", nil, map[string]string{"sub": "u-1"}),
			wantStatus: 403,
			wantBody:   `{"code":"refused","message":"your sign-in names no tenant: ask your administrator to set the tenant of your user"}`,
		},
		{
			name:       "a request without an authorizer is refused",
			req:        request("GET /imports", "/imports", nil, nil),
			wantStatus: 403,
			wantBody:   `{"code":"refused","message":"your sign-in names no tenant: ask your administrator to set the tenant of your user"}`,
		},
		{
			name:       "an unknown route is not found",
			req:        request("DELETE /imports/{id}", "/imports/imp-a", map[string]string{"id": "imp-a"}, tenantClaims("acme")),
			wantStatus: 404,
			wantBody:   `{"code":"not_found","message":"there is no GET /imports/imp-a"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handler{Jobs: store(t)}
			resp, err := h.Handle(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Handle(%s) error = %v, want nil", tt.req.RawPath, err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("Handle(%s) status = %d, want %d (%s)", tt.req.RawPath, resp.StatusCode, tt.wantStatus, resp.Body)
			}
			if got := resp.Headers["Access-Control-Allow-Origin"]; got != "*" {
				t.Errorf("Handle(%s) Access-Control-Allow-Origin = %q, want *", tt.req.RawPath, got)
			}
			if got, want := summary(t, resp.Body), canonical(t, tt.wantBody); got != want {
				t.Errorf("Handle(%s) body = %s, want %s", tt.req.RawPath, got, want)
			}
		})
	}
}

// summary reduces an answer to what the table compares: a list to its ids,
// one import to its id, file and status, an error as it is.
func summary(t *testing.T, body string) string {
	t.Helper()
	var v struct {
		Imports *[]struct {
			ID string `json:"id"`
		} `json:"imports"`
		ID      string `json:"id"`
		File    string `json:"file"`
		Status  string `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("answer %q is not JSON: %v", body, err)
	}
	var out any
	switch {
	case v.Imports != nil:
		ids := []string{}
		for _, i := range *v.Imports {
			ids = append(ids, i.ID)
		}
		out = map[string]any{"ids": ids}
	case v.Code != "":
		out = map[string]string{"code": v.Code, "message": v.Message}
	default:
		out = map[string]string{"id": v.ID, "file": v.File, "status": v.Status}
	}
	data, _ := json.Marshal(out)
	return string(data)
}

func canonical(t *testing.T, doc string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("want %q is not JSON: %v", doc, err)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

func TestHandleMapsErrorKindsToStatuses(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    crm.Kind
		wantMessage string
	}{
		{"invalid is a bad request", crm.Errorf(crm.Invalid, "bad id"), 400, crm.Invalid, "bad id"},
		{"refused is forbidden", crm.Errorf(crm.Refused, "not allowed"), 403, crm.Refused, "not allowed"},
		{"not found is 404", crm.Errorf(crm.NotFound, "no such import"), 404, crm.NotFound, "no such import"},
		{"conflict is 409", crm.Errorf(crm.Conflict, "the import has ended"), 409, crm.Conflict, "the import has ended"},
		{"busy is 409", crm.Errorf(crm.Busy, "another import runs"), 409, crm.Busy, "another import runs"},
		{"unavailable is 503", crm.Errorf(crm.Unavailable, "try again later"), 503, crm.Unavailable, "try again later"},
		{"internal is 500 with the generic message", crm.Wrap(errors.New("table gone"), crm.Internal, "secret detail"), 500, crm.Internal, crm.InternalMessage},
		{"an unclassified error is internal", errors.New("boom"), 500, crm.Internal, crm.InternalMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := crmtest.NewJobs()
			jobs.FailNext("List", tt.err)
			h := &Handler{Jobs: jobs}
			resp, err := h.Handle(context.Background(), request("GET /imports", "/imports", nil, tenantClaims("acme")))
			if err != nil {
				t.Fatalf("Handle() error = %v, want nil", err)
			}
			var body errorBody
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("Handle() body %q is not JSON: %v", resp.Body, err)
			}
			if resp.StatusCode != tt.wantStatus || body.Code != tt.wantCode || body.Message != tt.wantMessage {
				t.Errorf("Handle() with %v = %d %+v, want %d {%s %s}", tt.err, resp.StatusCode, body, tt.wantStatus, tt.wantCode, tt.wantMessage)
			}
		})
	}
}
