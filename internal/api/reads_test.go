package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// reportErrors is how many row errors the stored report of imp-done keeps.
const reportErrors = 250

// errorCSV is the error file of imp-done, as internal/outcome writes one.
const errorCSV = "\uFEFFrow,column,value,reason\n7,Revenue,abc,is not a number\n"

// readsStore holds acme's imports in every state the read routes tell
// apart, and one of globex's. Files are also put under work/acme/imp-g/,
// so an answer for imp-g to acme could only come from not reading the job
// under the caller's tenant first.
func readsStore(t *testing.T) (*crmtest.Jobs, *crmtest.Files) {
	t.Helper()
	ctx := context.Background()
	jobs, files := crmtest.NewJobs(), crmtest.NewFiles()
	for _, j := range []crm.Job{
		{Tenant: "acme", ID: "imp-done", Status: crm.Succeeded, ErrorFile: "work/acme/imp-done/errors.csv"},
		{Tenant: "acme", ID: "imp-clean", Status: crm.Succeeded},
		{Tenant: "acme", ID: "imp-run", Status: crm.Applying},
		{Tenant: "acme", ID: "imp-new", Status: crm.Validating},
		{Tenant: "acme", ID: "imp-refused", Status: crm.Failed, Reason: "the file is a legacy .xls workbook"},
		{Tenant: "globex", ID: "imp-g", Status: crm.Succeeded, ErrorFile: "work/globex/imp-g/errors.csv"},
	} {
		if ok, err := jobs.Create(ctx, j); !ok || err != nil {
			t.Fatalf("Create(%s) = %v, %v, want true", j.ID, ok, err)
		}
	}
	rep := check.Report{File: check.File{Format: "csv", Encoding: "UTF-8", Delimiter: ","}, Rows: 300, RowsWithErrors: reportErrors,
		Unmapped: []string{"Notes"}, ErrorCount: reportErrors}
	for i := range reportErrors {
		rep.Errors = append(rep.Errors, crm.RowError{Row: i + 2, Column: "Revenue", Field: "revenue", Value: fmt.Sprint("x", i), Reason: "is not a number"})
	}
	put := func(key string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal %s: %v", key, err)
		}
		files.Add(key, data, nil)
	}
	sum := crm.Summary{ImportID: "imp-done", Tenant: "acme", Status: crm.Succeeded, Counts: crm.Counts{Rows: 300, Invalid: 250, Created: 50},
		Users:     []crm.UserResult{{User: crm.UserRef{ID: "u-anna", Email: "anna@acme.example", Rows: 50}, Counts: crm.Counts{Created: 50}}},
		ErrorFile: "work/acme/imp-done/errors.csv"}
	for _, w := range []crm.Work{{Tenant: "acme", ImportID: "imp-done"}, {Tenant: "globex", ImportID: "imp-g"}, {Tenant: "acme", ImportID: "imp-g"}} {
		put(w.Report(), rep)
		put(w.Summary(), sum)
		files.Add(w.ErrorFile(), []byte(errorCSV), nil)
	}
	put(crm.Work{Tenant: "acme", ImportID: "imp-clean"}.Summary(), crm.Summary{ImportID: "imp-clean", Tenant: "acme", Status: crm.Succeeded})
	put(crm.Work{Tenant: "acme", ImportID: "imp-run"}.Report(), check.Report{File: check.File{Format: "xlsx", Sheet: "Customers"}, Rows: 3})
	return jobs, files
}

func readRequest(route, id string, query map[string]string, tenant string) events.APIGatewayV2HTTPRequest {
	req := request("GET /imports/{id}/"+route, "/imports/"+id+"/"+route, map[string]string{"id": id}, tenantClaims(tenant))
	req.QueryStringParameters = query
	return req
}

func TestReadRoutesAnswerTheCallersImportsOnly(t *testing.T) {
	notFound := func(id string) string {
		return `{"code":"not_found","message":"import ` + id + ` does not exist"}`
	}
	tests := []struct {
		name       string
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantBody   string // the error answer, when the status is not 200
	}{
		{"report of the tenant's import", readRequest("report", "imp-done", nil, "acme"), 200, ""},
		{"report of another tenant's import is not found", readRequest("report", "imp-g", nil, "acme"), 404, notFound("imp-g")},
		{"report of a missing import is not found", readRequest("report", "imp-x", nil, "acme"), 404, notFound("imp-x")},
		{"report before the file is read is a conflict", readRequest("report", "imp-new", nil, "acme"), 409,
			`{"code":"conflict","message":"the import is still VALIDATING: its check report is written once its file has been read"}`},
		{"report of a refused file is not found, with the reason", readRequest("report", "imp-refused", nil, "acme"), 404,
			`{"code":"not_found","message":"import imp-refused has no check report: it ended before its file was read (the file is a legacy .xls workbook)"}`},
		{"summary of the tenant's ended import", readRequest("summary", "imp-done", nil, "acme"), 200, ""},
		{"summary of another tenant's import is not found", readRequest("summary", "imp-g", nil, "acme"), 404, notFound("imp-g")},
		{"summary of a missing import is not found", readRequest("summary", "imp-x", nil, "acme"), 404, notFound("imp-x")},
		{"summary of a running import is a conflict naming its status", readRequest("summary", "imp-run", nil, "acme"), 409,
			`{"code":"conflict","message":"the import is still APPLYING: its summary is written when it ends"}`},
		{"errors of the tenant's import", readRequest("errors", "imp-done", nil, "acme"), 200, ""},
		{"errors of another tenant's import are not found", readRequest("errors", "imp-g", nil, "acme"), 404, notFound("imp-g")},
		{"errors of a missing import are not found", readRequest("errors", "imp-x", nil, "acme"), 404, notFound("imp-x")},
		{"errors of an import without bad rows are not found", readRequest("errors", "imp-clean", nil, "acme"), 404,
			`{"code":"not_found","message":"the import has no error file: every row was imported"}`},
		{"errors of a running import are a conflict", readRequest("errors", "imp-run", nil, "acme"), 409,
			`{"code":"conflict","message":"the import is still APPLYING: its error file is written when it ends"}`},
		{"errors of a failed import say why there are none", readRequest("errors", "imp-refused", nil, "acme"), 404,
			`{"code":"not_found","message":"the import has no error file: it failed before its rows were reported (the file is a legacy .xls workbook)"}`},
		{"the owner reads its own import", readRequest("summary", "imp-g", nil, "globex"), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, files := readsStore(t)
			h := &Handler{Jobs: jobs, Files: files}
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
			if tt.wantBody != "" {
				if got, want := canonical(t, resp.Body), canonical(t, tt.wantBody); got != want {
					t.Errorf("Handle(%s) body = %s, want %s", tt.req.RawPath, got, want)
				}
			}
		})
	}
}

func TestReportPagesItsRowErrors(t *testing.T) {
	tests := []struct {
		name       string
		query      map[string]string
		wantStatus int
		wantFirst  int // row of the page's first error; 0 for an empty page
		wantLen    int
		wantNext   int // -1: no next page
		wantError  string
	}{
		{"the first page holds the default 100", nil, 200, 2, 100, 100, ""},
		{"offset and limit choose the page", map[string]string{"offset": "100", "limit": "50"}, 200, 102, 50, 150, ""},
		{"the last page is short and has no next", map[string]string{"offset": "200", "limit": "100"}, 200, 202, 50, -1, ""},
		{"a page ending at the total has no next", map[string]string{"offset": "150", "limit": "100"}, 200, 152, 100, -1, ""},
		{"an offset past the end is an empty page", map[string]string{"offset": "900"}, 200, 0, 0, -1, ""},
		{"the largest limit is 1000", map[string]string{"limit": "1000"}, 200, 2, reportErrors, -1, ""},
		{"a limit over 1000 is refused", map[string]string{"limit": "1001"}, 400, 0, 0, 0, "limit must be a whole number from 1 to 1000, not \"1001\""},
		{"a limit of 0 is refused", map[string]string{"limit": "0"}, 400, 0, 0, 0, "limit must be a whole number from 1 to 1000, not \"0\""},
		{"a negative offset is refused", map[string]string{"offset": "-1"}, 400, 0, 0, 0, "offset must be a whole number, 0 or more, not \"-1\""},
		{"an offset that is no number is refused", map[string]string{"offset": "ten"}, 400, 0, 0, 0, "offset must be a whole number, 0 or more, not \"ten\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, files := readsStore(t)
			h := &Handler{Jobs: jobs, Files: files}
			req := readRequest("report", "imp-done", tt.query, "acme")
			resp, err := h.Handle(context.Background(), req)
			if err != nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("Handle(%v) = %d %s, %v, want %d", tt.query, resp.StatusCode, resp.Body, err, tt.wantStatus)
			}
			if tt.wantError != "" {
				var e errorBody
				if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || e.Code != crm.Invalid || e.Message != tt.wantError {
					t.Errorf("Handle(%v) = %s, want invalid %q", tt.query, resp.Body, tt.wantError)
				}
				return
			}
			var got reportView
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatalf("Handle(%v) body %q is not JSON: %v", tt.query, resp.Body, err)
			}
			if got.Total != reportErrors || got.ErrorCount != reportErrors || got.Format != "csv" || got.Rows != 300 {
				t.Errorf("Handle(%v) = total %d, errorCount %d, format %q, rows %d, want %d, %d, csv, 300",
					tt.query, got.Total, got.ErrorCount, got.Format, got.Rows, reportErrors, reportErrors)
			}
			if got.Errors == nil || len(got.Errors) != tt.wantLen {
				t.Fatalf("Handle(%v) errors = %d (%v), want %d", tt.query, len(got.Errors), got.Errors == nil, tt.wantLen)
			}
			if tt.wantLen > 0 && got.Errors[0].Row != tt.wantFirst {
				t.Errorf("Handle(%v) first error row = %d, want %d", tt.query, got.Errors[0].Row, tt.wantFirst)
			}
			next := -1
			if got.NextOffset != nil {
				next = *got.NextOffset
			}
			if next != tt.wantNext {
				t.Errorf("Handle(%v) nextOffset = %d, want %d", tt.query, next, tt.wantNext)
			}
		})
	}
}

func TestReportShowsWhatTheCheckerFound(t *testing.T) {
	jobs, files := readsStore(t)
	h := &Handler{Jobs: jobs, Files: files}
	resp, err := h.Handle(context.Background(), readRequest("report", "imp-run", nil, "acme"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Handle(report of imp-run) = %d %s, %v, want 200", resp.StatusCode, resp.Body, err)
	}
	want := `{"format":"xlsx","sheet":"Customers","rows":3,"rowsWithErrors":0,"mapping":[],"unmapped":[],"warnings":[],"missing":[],
		"errors":[],"total":0,"errorCount":0,"offset":0,"limit":100}`
	if got := canonical(t, resp.Body); got != canonical(t, want) {
		t.Errorf("Handle(report of imp-run) = %s, want %s", got, canonical(t, want))
	}
}

func TestSummaryShowsCountsPerUser(t *testing.T) {
	jobs, files := readsStore(t)
	h := &Handler{Jobs: jobs, Files: files}
	resp, err := h.Handle(context.Background(), readRequest("summary", "imp-done", nil, "acme"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Handle(summary of imp-done) = %d %s, %v, want 200", resp.StatusCode, resp.Body, err)
	}
	zero := `"invalid":0,"unchanged":0,"updated":0,"deleted":0,"skipped":0,"failed":0`
	want := `{"id":"imp-done","status":"SUCCEEDED","hasErrorFile":true,"duplicates":0,
		"counts":{"rows":300,"invalid":250,"created":50,"updated":0,"unchanged":0,"deleted":0,"skipped":0,"failed":0},
		"users":[{"id":"u-anna","email":"anna@acme.example","rows":50,"counts":{"rows":50,"created":50,` + zero + `}}]}`
	if got := canonical(t, resp.Body); got != canonical(t, want) {
		t.Errorf("Handle(summary of imp-done) = %s, want %s", got, canonical(t, want))
	}
}

func TestErrorFileIsACSVDownload(t *testing.T) {
	tests := []struct {
		name       string
		data       []byte
		wantBase64 bool
	}{
		{"UTF-8 text goes as it is", []byte(errorCSV), false},
		{"bytes that are not UTF-8 go base64", []byte("row,column,value,reason\n2,Name,M\xfcller,is too long\n"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, files := readsStore(t)
			files.Add(crm.Work{Tenant: "acme", ImportID: "imp-done"}.ErrorFile(), tt.data, nil)
			h := &Handler{Jobs: jobs, Files: files}
			resp, err := h.Handle(context.Background(), readRequest("errors", "imp-done", nil, "acme"))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("Handle(errors of imp-done) = %d %s, %v, want 200", resp.StatusCode, resp.Body, err)
			}
			if got := resp.Headers["Content-Type"]; got != crm.CSV {
				t.Errorf("Handle(errors) Content-Type = %q, want %q", got, crm.CSV)
			}
			if got, want := resp.Headers["Content-Disposition"], `attachment; filename=errors-imp-done.csv`; got != want {
				t.Errorf("Handle(errors) Content-Disposition = %q, want %q", got, want)
			}
			body := []byte(resp.Body)
			if resp.IsBase64Encoded {
				if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
					t.Fatalf("Handle(errors) base64 body: %v", err)
				}
			}
			if resp.IsBase64Encoded != tt.wantBase64 || string(body) != string(tt.data) {
				t.Errorf("Handle(errors) = base64 %v %q, want base64 %v %q", resp.IsBase64Encoded, body, tt.wantBase64, tt.data)
			}
		})
	}
}

func TestErrorFileTooLargeIsRefused(t *testing.T) {
	jobs, files := readsStore(t)
	files.Add(crm.Work{Tenant: "acme", ImportID: "imp-done"}.ErrorFile(), make([]byte, MaxErrorFileBytes+1), nil)
	h := &Handler{Jobs: jobs, Files: files}
	resp, err := h.Handle(context.Background(), readRequest("errors", "imp-done", nil, "acme"))
	if err != nil || resp.StatusCode != 403 {
		t.Errorf("Handle(errors of a %d-byte file) = %d %s, %v, want 403", MaxErrorFileBytes+1, resp.StatusCode, resp.Body, err)
	}
}
