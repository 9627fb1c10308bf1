package links

import (
	"reflect"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

var companies = []crm.Record{
	{ID: "c1", Fields: map[string]string{"name": "Müller GmbH", "customer_number": "K-1"}},
	{ID: "c2", Fields: map[string]string{"name": "Nord AG", "customer_number": "K-2"}},
	{ID: "c3", Fields: map[string]string{"name": "Nord AG", "customer_number": "K-3"}},
	{ID: "p1", Fields: map[string]string{"first_name": "Eva", "last_name": "Lis"}},
}

func TestResolveLinksRowsToRecordIDs(t *testing.T) {
	byName := Link{Field: "company", Column: "Firma", Entity: "companies"}
	byNumber := Link{Field: "company_number", Column: "Kundennummer", Entity: "companies", By: "customer_number"}
	tests := []struct {
		name       string
		link       Link
		value      string
		wantID     string
		wantReason string
	}{
		{"a name, case, accents and spacing aside", byName, "  muller   gmbh ", "c1", ""},
		{"a person's first and last name", Link{Field: "contact", Column: "Kontakt", Entity: "contacts"}, "eva lis", "p1", ""},
		{"a number", byNumber, "K-3", "c3", ""},
		{"a name no record has", byName, "Süd KG", "", "is the name of none of your companies, so the row cannot be linked to one: import the companies first, or correct the value"},
		{"a name two records have", byName, "Nord AG", "", "is the name of 2 of your companies, so the row cannot be linked to one of them: link by a column that tells them apart (for example the customer number)"},
		{"a number no record has", byNumber, "K-9", "", "is the customer number of none of your companies, so the row cannot be linked to one: import the companies first, or correct the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := []crm.Row{{Number: 2, Fields: map[string]string{tt.link.Field: tt.value}}}
			un := Resolve(rows, []*Index{NewIndex(tt.link, companies)})
			if got := rows[0].Fields[tt.link.Field+IDSuffix]; got != tt.wantID {
				t.Errorf("Resolve() id = %q, want %q", got, tt.wantID)
			}
			var want []crm.RowError
			if tt.wantReason != "" {
				want = []crm.RowError{{Row: 2, Column: tt.link.Column, Field: tt.link.Field, Value: tt.value, Reason: tt.wantReason}}
			}
			if !reflect.DeepEqual(rows[0].Errors, want) {
				t.Errorf("Resolve() errors = %+v, want %+v", rows[0].Errors, want)
			}
			if (len(un) == 1) != (tt.wantReason != "") {
				t.Errorf("Resolve() unresolved = %+v, want one entry only for an error", un)
			}
		})
	}
}

func TestResolveCountsUnresolvedValuesByRows(t *testing.T) {
	l := Link{Field: "company", Column: "Firma", Entity: "companies"}
	var rows []crm.Row
	for i, v := range []string{"Süd KG", "Müller GmbH", "Süd KG", "Nord AG", "", "Süd KG"} {
		rows = append(rows, crm.Row{Number: i + 2, Fields: map[string]string{"company": v}})
	}
	got := Resolve(rows, []*Index{NewIndex(l, companies)})
	want := []Unresolved{{Field: "company", Value: "Süd KG", Rows: 3}, {Field: "company", Value: "Nord AG", Matches: 2, Rows: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve() unresolved = %+v, want %+v", got, want)
	}
	if len(rows[4].Errors) != 0 || rows[4].Fields["company_id"] != "" {
		t.Errorf("row without a company = %+v, want untouched", rows[4])
	}
}
