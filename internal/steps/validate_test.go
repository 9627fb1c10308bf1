package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

// agentsCSV is a customers file whose rows name their sales agent by
// e-mail: row 4 has no name (a row error), row 5 names nobody of the CRM.
const agentsCSV = "Customer number,Name,City,Agent email\n" +
	"1001,Müller GmbH,Berlin,anna@acme.example\n" +
	"1002,Rossi S.r.l.,Roma,bo@acme.example\n" +
	"1003,,Paris,anna@acme.example\n" +
	"1004,Nordlicht Optik,Hamburg,carl@acme.example\n"

func TestTooLargeRowsAreRowErrorsNotBatchFailures(t *testing.T) {
	long := strings.Repeat("x", 32000)
	big := crm.Row{Number: 7, Fields: map[string]string{}}
	for _, f := range []string{"name", "street", "city", "region", "description", "group", "industry", "trade_name", "first_name", "last_name", "website", "external_id"} {
		big.Fields[f] = long
	}
	big.Fields["description"] = long + "y"

	e, ok := tooLarge(big)
	if !ok {
		t.Fatalf("tooLarge(12 cells of 32,000 characters) = false, want a row error")
	}
	if e.Row != 7 || e.Field != "description" || !strings.Contains(e.Reason, "more than one record can hold") {
		t.Errorf("tooLarge() = %+v, want row 7, the longest field, and the reason", e)
	}
	if _, ok := tooLarge(crm.Row{Number: 2, Fields: map[string]string{"name": long}}); ok {
		t.Errorf("tooLarge(one long cell) = true, want false")
	}
}

func TestValidateWritesEveryRowAndCountsThem(t *testing.T) {
	f := newFixture(t)
	in := f.upload(t, "customers.csv", agentsCSV, "")

	s, err := f.validate().Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if s.Rows != 4 || s.Invalid != 1 {
		t.Errorf("Handle() rows, invalid = %d, %d, want 4, 1", s.Rows, s.Invalid)
	}
	rows := lines[crm.Row](t, f.files, s.work().Records())
	if got, want := rowNumbers(rows), []int{2, 3, 4, 5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows of records.jsonl = %v, want %v", got, want)
	}
	if got := rows[0].Fields; got["customer_number"] != "1001" || got["name"] != "Müller GmbH" || got["agent_email"] != "anna@acme.example" {
		t.Errorf("row 2 fields = %v, want the mapped cells", got)
	}
	if len(rows[2].Errors) != 1 || rows[2].Errors[0].Column != "Name" {
		t.Errorf("row 4 errors = %+v, want the empty name", rows[2].Errors)
	}
	var report check.Report
	readWorkJSON(t, f, s.work().Report(), &report)
	if report.Rows != 4 || report.RowsWithErrors != 1 || report.File.Format != "csv" {
		t.Errorf("report.json = rows %d, with errors %d, format %q, want 4, 1, csv", report.Rows, report.RowsWithErrors, report.File.Format)
	}
	var cfg config.Config
	readWorkJSON(t, f, s.work().Config(), &cfg)
	if cfg.Entity != "customers" || cfg.Mode != crm.Add {
		t.Errorf("config.json = entity %q, mode %q, want the customers default (add)", cfg.Entity, cfg.Mode)
	}
	j := f.job(t, s.ImportID)
	if j.Status != crm.Validating || j.Counts != (crm.Counts{Rows: 4, Invalid: 1}) {
		t.Errorf("job = %s %+v, want VALIDATING with 4 rows, 1 invalid", j.Status, j.Counts)
	}
}

func TestValidateUsesTheSavedConfigurationTheUploadNames(t *testing.T) {
	f := newFixture(t)
	raw, err := os.ReadFile("../../testdata/configs/customers-agents.json")
	if err != nil {
		t.Fatal(err)
	}
	f.tenants.SaveConfig(context.Background(), tenant, "agents", raw)
	// Without the configuration neither column would be read this way.
	const file = "Name,Vertreter-Mail,Interne Notiz\nMüller GmbH,anna@acme.example,nur intern\n"

	s, err := f.validate().Handle(context.Background(), f.upload(t, "kunden.csv", file, "agents"))
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	rows := lines[crm.Row](t, f.files, s.work().Records())
	if len(rows) != 1 || rows[0].Assignee != "anna@acme.example" {
		t.Fatalf("records.jsonl = %+v, want one row assigned by the Vertreter-Mail column", rows)
	}
	for field, v := range rows[0].Fields {
		if v == "nur intern" {
			t.Errorf("row field %s = %q, want the ignored column left out", field, v)
		}
	}
	var cfg config.Config
	readWorkJSON(t, f, s.work().Config(), &cfg)
	if cfg.Locale != "de-DE" || cfg.AssignmentColumn() != "Vertreter-Mail" {
		t.Errorf("config.json = locale %q, assignment %q, want the saved configuration's", cfg.Locale, cfg.AssignmentColumn())
	}
}

func TestValidateRefuses(t *testing.T) {
	busy := crm.Errorf(crm.Unavailable, "file storage is busy")
	tests := []struct {
		name        string
		file        string
		config      string // the saved configuration the upload names
		profile     crm.Profile
		fail        func(*fixture)
		wantKind    crm.Kind
		wantMessage string
	}{
		{
			name: "a tenant synchronised from Salesforce", file: agentsCSV, profile: crm.Profile{SyncedFrom: "Salesforce"},
			wantKind: crm.Refused, wantMessage: "your CRM data is synchronised from Salesforce, so it cannot be imported here",
		},
		{
			name: "a file over the tenant's row limit, naming both counts", file: agentsCSV, profile: crm.Profile{MaxRows: 3},
			wantKind: crm.Refused, wantMessage: "the file has 4 rows; one import may hold at most 3 rows: split the file",
		},
		{
			name: "a file ten times over the limit, without reading it to the end", file: manyRows(25), profile: crm.Profile{MaxRows: 2},
			wantKind: crm.Refused, wantMessage: "the file has more than 20 rows; one import may hold at most 2 rows: split the file",
		},
		{
			name: "a file with titles only", file: "Customer number,Name,City\n",
			wantKind: crm.Invalid, wantMessage: "the file has column titles but no data rows",
		},
		{
			name: "a saved configuration that does not exist", file: agentsCSV, config: "nope",
			wantKind: crm.NotFound, wantMessage: `there is no saved import configuration named "nope"`,
		},
		{
			name: "a file storage that is busy, to be retried", file: agentsCSV,
			fail:     func(f *fixture) { f.files.FailCall("Download", 1, busy) },
			wantKind: crm.Unavailable, wantMessage: "file storage is busy",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.tenants.PutProfile(tenant, tt.profile)
			if tt.fail != nil {
				tt.fail(f)
			}
			_, err := f.validate().Handle(context.Background(), f.upload(t, "customers.csv", tt.file, tt.config))
			checkError(t, "Handle()", err, tt.wantKind, tt.wantMessage)
		})
	}
}

// manyRows is a valid customers file of n rows.
func manyRows(n int) string {
	var b strings.Builder
	b.WriteString("Customer number,Name\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,Customer %d\n", 1000+i, i)
	}
	return b.String()
}

// readWorkJSON decodes a small work file.
func readWorkJSON(t *testing.T, f *fixture, key string, v any) {
	t.Helper()
	if err := json.Unmarshal(f.files.Data(key), v); err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
}

// A second upload under the same key while the first waits to be read:
// the first import does not import the second one's bytes.
func TestValidateReadsOnlyTheUploadItWasStartedFor(t *testing.T) {
	f := newFixture(t)
	s := f.upload(t, "march.csv", "Customer number,Name\n1001,Müller GmbH\n", "")
	f.files.Add(s.Key, []byte("Customer number,Name\n2001,Replaced AG\n2002,Also New\n"), nil)
	_, err := f.validate().Handle(context.Background(), s)
	if crm.KindOf(err) != crm.Conflict || !strings.Contains(crm.Message(err), "replaced by a newer upload") {
		t.Fatalf("Validate.Handle() = %v (%s), want a Conflict saying the file was replaced", err, crm.KindOf(err))
	}
	if keys := f.files.Keys(s.work().Records()); len(keys) != 0 {
		t.Errorf("records.jsonl written from the newer upload's bytes: %v", keys)
	}
}
