package main

import (
	"maps"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

func TestHTTPAPIMatchPicksTheMostSpecificRoute(t *testing.T) {
	api := &httpAPI{routes: []types.Route{
		{RouteKey: aws.String("GET /imports")},
		{RouteKey: aws.String("GET /imports/{id}")},
		{RouteKey: aws.String("GET /imports/summary")},
		{RouteKey: aws.String("ANY /files/{key+}")},
	}}
	tests := []struct {
		method, path string
		wantKey      string
		wantParams   map[string]string
	}{
		{"GET", "/imports", "GET /imports", map[string]string{}},
		{"GET", "/imports/abc", "GET /imports/{id}", map[string]string{"id": "abc"}},
		{"GET", "/imports/summary", "GET /imports/summary", map[string]string{}},
		{"PUT", "/files/a/b/c.csv", "ANY /files/{key+}", map[string]string{"key": "a/b/c.csv"}},
		{"POST", "/imports", "", nil},
		{"GET", "/imports/abc/extra", "", nil},
		{"GET", "/imports/", "GET /imports", map[string]string{}},
	}
	for _, tt := range tests {
		r, params, ok := api.match(tt.method, tt.path)
		if got := aws.ToString(r.RouteKey); got != tt.wantKey || (ok != (tt.wantKey != "")) || (ok && !maps.Equal(params, tt.wantParams)) {
			t.Errorf("match(%s %s) = %q %v %v, want %q %v", tt.method, tt.path, got, params, ok, tt.wantKey, tt.wantParams)
		}
	}
}

func TestClaimStringWritesClaimsAsAPIGatewayPassesThem(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"acme", "acme"},
		{[]any{"administrator", "user"}, "[administrator user]"},
		{float64(1764633600), "1764633600"},
		{true, "true"},
	}
	for _, tt := range tests {
		if got := claimString(tt.in); got != tt.want {
			t.Errorf("claimString(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLambdaOfIntegrationReadsTheFunctionARN(t *testing.T) {
	arn := "arn:aws:lambda:us-east-1:123456789012:function:crm-import-ApiFunction-X"
	tests := []struct {
		in     types.Integration
		want   string
		wantOK bool
	}{
		{types.Integration{IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")}, arn, true},
		{types.Integration{IntegrationType: types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(arn)}, arn, true},
		{types.Integration{IntegrationType: types.IntegrationTypeHttpProxy, IntegrationUri: aws.String("https://example.com")}, "", false},
	}
	for _, tt := range tests {
		if got, ok := lambdaOfIntegration(tt.in); got != tt.want || ok != tt.wantOK {
			t.Errorf("lambdaOfIntegration(%s) = %q %v, want %q %v", aws.ToString(tt.in.IntegrationUri), got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestWriteV2ResponseReadsTheFunctionsAnswer(t *testing.T) {
	tests := []struct {
		name       string
		payload    string
		wantStatus int
		wantBody   string
		wantType   string
	}{
		{"a response object", `{"statusCode":404,"headers":{"Content-Type":"application/json"},"body":"{\"code\":\"not_found\"}"}`, 404, `{"code":"not_found"}`, "application/json"},
		{"a base64 body", `{"statusCode":200,"headers":{"Content-Type":"text/csv"},"body":"YSxiCg==","isBase64Encoded":true}`, 200, "a,b\n", "text/csv"},
		{"any other JSON is a 200 body", `{"imports":[]}`, 200, `{"imports":[]}`, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			writeV2Response(w, []byte(tt.payload))
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantBody || w.Header().Get("Content-Type") != tt.wantType {
				t.Errorf("writeV2Response(%s) = %d %q %q, want %d %q %q", tt.payload, w.Code, w.Body.String(), w.Header().Get("Content-Type"), tt.wantStatus, tt.wantBody, tt.wantType)
			}
		})
	}
}
