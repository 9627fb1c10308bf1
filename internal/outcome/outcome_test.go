package outcome

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/plan"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+49 30 1234", "'+49 30 1234"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"Müller GmbH", "Müller GmbH"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorCSV(t *testing.T) {
	var buf bytes.Buffer
	e := NewErrorCSV(&buf)
	rows := []Row{
		{Row: 2, Status: Created},
		{Row: 3, Status: Error, Errors: []crm.RowError{
			{Column: "Phone", Value: "=cmd|' /C calc'!A0", Reason: "not a phone number"},
			{Column: "Revenue", Value: "-", Reason: "not a number"},
		}},
		{Row: 4, Status: Skipped, Key: `customer_no="9"`, Reason: "no existing record has this key"},
		{Row: 5, Status: Conflict, Reason: "changed since the preview"},
	}
	for _, r := range rows {
		if err := e.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Errorf("error file starts %q, want a UTF-8 byte order mark", out[:3])
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"row", "column", "value", "reason"},
		{"3", "Phone", "'=cmd|' /C calc'!A0", "not a phone number"},
		{"3", "Revenue", "'-", "not a number"},
		{"4", "", `customer_no="9"`, "skipped: no existing record has this key"},
		{"5", "", "", "changed since the preview"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("error file = %q, want %q", got, want)
	}
}

func TestErrorCSVWithoutErrorsHasHeader(t *testing.T) {
	var buf bytes.Buffer
	e := NewErrorCSV(&buf)
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\uFEFFrow,column,value,reason\n"; got != want {
		t.Errorf("empty error file = %q, want %q", got, want)
	}
}

func TestLog(t *testing.T) {
	var buf bytes.Buffer
	l := NewLog(&buf)
	op := plan.Op{Kind: plan.OpUpdate, Row: 7, ID: "c1", Changes: []plan.Change{{Field: "phone", Old: "1", New: "2"}}}
	in := []Row{FromOp("u1", "customer", op), {Row: 8, Status: Error, Errors: []crm.RowError{{Reason: "bad"}}}}
	for _, r := range in {
		if err := l.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	var back []Row
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r Row
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		back = append(back, r)
	}
	if !reflect.DeepEqual(back, in) {
		t.Errorf("log read back = %+v, want %+v", back, in)
	}
	if back[0].Status != Updated {
		t.Errorf("FromOp(update).Status = %s, want %s", back[0].Status, Updated)
	}
}
