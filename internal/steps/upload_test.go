package steps

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/plan"
)

// twoCustomers is a valid customers file of two rows.
const twoCustomers = "Customer number,Name\n1001,Müller GmbH\n1002,Rossi S.r.l.\n"

func TestValidateReadsUploadsWhateverTheirName(t *testing.T) {
	tests := []struct {
		name    string
		upload  string // the file's name in the upload's key
		content []byte
	}{
		// The step writes records.jsonl itself.
		{"a CSV named like the step's own file", "records.jsonl", []byte(twoCustomers)},
		{"a name that is the parent directory", "..", []byte(twoCustomers)},
		{"a name of 300 characters", strings.Repeat("k", 296) + ".csv", []byte(twoCustomers)},
		{"a workbook named like a text file", "records.jsonl", workbook(t, [][]string{{"Customer number", "Name"}, {"1001", "Müller GmbH"}, {"1002", "Rossi S.r.l."}})},
		{"a workbook with a long name", strings.Repeat("k", 295) + ".xlsx", workbook(t, [][]string{{"Customer number", "Name"}, {"1001", "Müller GmbH"}, {"1002", "Rossi S.r.l."}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s, err := f.validate().Handle(context.Background(), f.upload(t, tt.upload, string(tt.content), ""))
			if err != nil {
				t.Fatalf("Handle(%.20q...) error = %v", tt.upload, err)
			}
			if s.Rows != 2 || s.Invalid != 0 {
				t.Errorf("Handle(%.20q...) rows, invalid = %d, %d, want 2, 0", tt.upload, s.Rows, s.Invalid)
			}
			rows := lines[crm.Row](t, f.files, s.work().Records())
			var got []map[string]string
			for _, r := range rows {
				got = append(got, r.Fields)
			}
			want := []map[string]string{
				{"customer_number": "1001", "name": "Müller GmbH"},
				{"customer_number": "1002", "name": "Rossi S.r.l."},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("records.jsonl fields = %v, want %v", got, want)
			}
		})
	}
}

func TestLocalNameKeepsOnlyAPlainExtension(t *testing.T) {
	tests := []struct {
		key, want string
	}{
		{"incoming/acme/customers/Kunden.XLSX", "upload.xlsx"},
		{"incoming/acme/customers/records.jsonl", "upload.jsonl"},
		{"incoming/acme/customers/..", "upload"},
		{"incoming/acme/customers/customers", "upload"},
		{"incoming/acme/customers/a.c$v", "upload"},
		{"incoming/acme/customers/a." + strings.Repeat("x", 300), "upload"},
	}
	for _, tt := range tests {
		if got := localName(tt.key); got != tt.want {
			t.Errorf("localName(%.50q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestValidateRefusesAnOversizedUploadBeforeDownloadingIt(t *testing.T) {
	tests := []struct {
		name        string
		stack       int64 // the stack's limit; 0 is the default
		profile     int64 // the tenant's
		size        int
		wantKind    crm.Kind
		wantMessage string
	}{
		{
			name: "over the stack's limit", stack: 3 << 20, size: 3<<20 + 200<<10,
			wantKind: crm.Refused, wantMessage: "the file is 3.2 MB; one import may be at most 3.0 MB",
		},
		{
			name: "over the tenant's own limit, which is below the stack's", stack: 3 << 20, profile: 1000, size: 3000,
			wantKind: crm.Refused, wantMessage: "the file is 0.003 MB; one import may be at most 0.001 MB",
		},
		{
			name: "under the tenant's limit, which is above the stack's", stack: 1000, profile: 10 << 20, size: 3000,
		},
		{
			name: "exactly at the limit", stack: 3000, size: 3000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.limits.MaxUploadBytes = tt.stack
			f.tenants.PutProfile(tenant, crm.Profile{MaxUploadBytes: tt.profile})
			_, err := f.validate().Handle(context.Background(), f.upload(t, "customers.csv", padded(tt.size), ""))
			checkError(t, "Handle()", err, tt.wantKind, tt.wantMessage)
			downloads := f.files.Calls("Download") + f.files.Calls("Open")
			if tt.wantKind != "" && downloads != 0 {
				t.Errorf("reads of the upload = %d, want none before the refusal", downloads)
			}
		})
	}
}

func TestValidateWithoutALimitUsesTheDefault(t *testing.T) {
	f := newFixture(t) // the fixture's limits leave MaxUploadBytes 0
	if _, err := f.validate().Handle(context.Background(), f.upload(t, "customers.csv", twoCustomers, "")); err != nil {
		t.Fatalf("Handle() error = %v, want the default limit of %d bytes", err, crm.DefaultMaxUploadBytes)
	}
}

func TestInMB(t *testing.T) {
	tests := []struct {
		size, limit int64
		want        string
	}{
		{3 << 30, 1 << 30, "3072 MB, 1024 MB"},
		{1<<30 + 300<<10, 1 << 30, "1024.3 MB, 1024.0 MB"},
		{3000, 1000, "0.003 MB, 0.001 MB"},
		{1<<20 + 1, 1 << 20, "1.000001 MB, 1.000000 MB"},
	}
	for _, tt := range tests {
		a, b := inMB(tt.size, tt.limit)
		if got := a + ", " + b; got != tt.want {
			t.Errorf("inMB(%d, %d) = %s, want %s", tt.size, tt.limit, got, tt.want)
		}
	}
}

func TestPreviewNamesTheColumnOfAMissingRequiredField(t *testing.T) {
	// An update by number: 1001 exists, 1005 does not and has no name, so it
	// would create a customer without one.
	const file = "Kundennummer,Firma,Ort\n1001,,Berlin\n1005,,Hamburg\n1006,Neu AG,Köln\n"
	f := newFixture(t)
	f.tenants = newTenantsWith(anna) // the only user: no assignment column needed
	f.tenants.SaveConfig(context.Background(), tenant, "update", []byte(`{"version":1,"entity":"customers","mode":"update","key_fields":["customer_number"],"required":["city"],"locale":"de-DE"}`))
	f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "r1", Version: 1, Fields: map[string]string{"customer_number": "1001", "name": "Müller GmbH"}})
	s := f.splitted(t, file, "update")

	out, err := f.preview().Handle(context.Background(), UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: f.mapItems(t, s)[0]})
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if p := out.Preview; p.Creates != 1 || p.Updates != 1 || p.Errors != 1 {
		t.Errorf("Handle() preview = %+v, want 1 create, 1 update, 1 error", p)
	}
	var got []crm.RowError
	for _, op := range lines[plan.Op](t, f.files, s.work().Plan(anna.ID)) {
		if op.Kind == plan.OpError {
			got = append(got, op.Errors...)
		}
	}
	want := []crm.RowError{{Row: 3, Column: "Firma", Field: "name",
		Reason: "is empty, but no existing record has this key, so the row would create a new record, which needs it"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan's row errors = %+v, want %+v", got, want)
	}
}

func TestValidateKeepsTheFilesOwnMappingWithTheImport(t *testing.T) {
	f := newFixture(t)
	f.tenants.SaveConfig(context.Background(), tenant, "mine", []byte(`{"version":1,"entity":"customers","mapping":{"Bezeichnung":"name","Kd-Nr":"customer_number","Notiz":"ignore"}}`))
	const file = "Bezeichnung,Customer number,Notiz,Ort,Unbekannt\nMüller GmbH,1001,intern,Berlin,x\n"

	s, err := f.validate().Handle(context.Background(), f.upload(t, "kunden.csv", file, "mine"))
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	cfg, err := readConfig(context.Background(), f.files, s.work())
	if err != nil {
		t.Fatalf("readConfig() error = %v", err)
	}
	// "Kd-Nr" matched no column; "Unbekannt" is no field's title.
	want := map[string]string{"Bezeichnung": "name", "Customer number": "customer_number", "Notiz": "ignore", "Ort": "city"}
	if !reflect.DeepEqual(cfg.Mapping, want) {
		t.Errorf("config.json mapping = %v, want the file's own %v", cfg.Mapping, want)
	}
}

// padded is a valid customers file of exactly size bytes (at least 40).
func padded(size int) string {
	head := "Customer number,Name\n1001,"
	return head + strings.Repeat("x", size-len(head)-1) + "\n"
}

// workbook is an XLSX file of one sheet holding rows.
func workbook(t *testing.T, rows [][]string) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
