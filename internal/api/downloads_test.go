package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/xuri/excelize/v2"
)

func TestConfigFileIsTheSavedJSONAsADownload(t *testing.T) {
	tests := []struct {
		name       string
		tenant     string
		config     string
		wantStatus int
		wantBody   string
	}{
		{"acme's configuration, byte for byte", "acme", "customers-de", 200, germanConfig},
		{"another tenant's is not found", "globex", "customers-de", 404, ""},
		{"a bad name", "acme", "a b", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("GET /configs/{name}/file", "/configs/"+tt.config+"/file", map[string]string{"name": tt.config}, tenantClaims(tt.tenant))
			resp, _ := (&Handler{Tenants: configStore(t)}).Handle(context.Background(), req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("Handle() = %d %s, want %d", resp.StatusCode, resp.Body, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if resp.Body != tt.wantBody || resp.Headers["Content-Disposition"] != `attachment; filename=customers-de.json` {
				t.Errorf("Handle() = %q, %q, want the JSON as saved, as customers-de.json", resp.Body, resp.Headers["Content-Disposition"])
			}
		})
	}
}

func templateRequest(entity string, query map[string]string) events.APIGatewayV2HTTPRequest {
	req := request("GET /templates/{entity}", "/templates/"+entity, map[string]string{"entity": entity}, tenantClaims("acme"))
	req.QueryStringParameters = query
	return req
}

func TestTemplateIsTheEntitysWorkbookOrCSV(t *testing.T) {
	h := &Handler{}
	resp, _ := h.Handle(context.Background(), templateRequest("customers", map[string]string{"lang": "de"}))
	if resp.StatusCode != 200 || !resp.IsBase64Encoded || resp.Headers["Content-Type"] != XLSX {
		t.Fatalf("Handle(xlsx) = %d %v %q, want 200, a base64 workbook", resp.StatusCode, resp.IsBase64Encoded, resp.Headers["Content-Type"])
	}
	data, _ := base64.StdEncoding.DecodeString(resp.Body)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("template is not a workbook: %v", err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) < 2 || !strings.Contains(strings.Join(rows[0], ","), "Kundennummer") {
		t.Errorf("German template's titles = %q, want German ones and an example row", rows)
	}

	resp, _ = h.Handle(context.Background(), templateRequest("customers", map[string]string{"format": "csv"}))
	got, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(got) != 2 || !strings.Contains(resp.Headers["Content-Disposition"], "customers-en.csv") {
		t.Errorf("Handle(csv) = %d %q, %v, want the title row and the example", resp.StatusCode, resp.Body, err)
	}
	if !strings.Contains(strings.Join(got[0], ","), "Name *") {
		t.Errorf("English CSV template's titles = %q, want the required Name marked", got[0])
	}
}

func TestTemplateRefusesWhatItDoesNotMake(t *testing.T) {
	tests := []struct {
		name   string
		entity string
		query  map[string]string
		want   string
	}{
		{"an unknown entity", "invoices", nil, `unknown entity "invoices"`},
		{"an unknown language", "customers", map[string]string{"lang": "tlh"}, `unknown language "tlh"`},
		{"an unknown format", "customers", map[string]string{"format": "pdf"}, `unknown format "pdf": choose xlsx or csv`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := (&Handler{}).Handle(context.Background(), templateRequest(tt.entity, tt.query))
			var e errorBody
			_ = json.Unmarshal([]byte(resp.Body), &e)
			if resp.StatusCode != 400 || !strings.HasPrefix(e.Message, tt.want) {
				t.Errorf("Handle() = %d %q, want 400 %q", resp.StatusCode, e.Message, tt.want)
			}
		})
	}
}
