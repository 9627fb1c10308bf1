package assign

import (
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

var users = []crm.User{
	{ID: "u1", Email: "Anna.Rossi@acme.example", EmployeeNumber: "0042", Name: "Anna Rossi"},
	{ID: "u2", Email: "bo@acme.example", EmployeeNumber: "7", Name: "Bo Ek"},
	{ID: "u3", Email: "jan1@acme.example", Name: "Jan Nowak"},
	{ID: "u4", Email: "jan2@acme.example", Name: "Jan  Nowák"},
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		by     crm.AssignBy
		value  string
		wantID string
	}{
		{"e-mail ignores case and spaces", crm.ByEmail, "  anna.rossi@ACME.example ", "u1"},
		{"employee number is trimmed", crm.ByEmployeeNumber, " 0042", "u1"},
		{"employee number keeps leading zeros", crm.ByEmployeeNumber, "42", ""},
		{"unknown e-mail matches nobody", crm.ByEmail, "eve@acme.example", ""},
		{"empty value matches nobody", crm.ByEmail, "", ""},
		{"name ignores case, accents and spacing", crm.ByName, "  anna   ROSSÌ ", "u1"},
		{"name is not a prefix match", crm.ByName, "Anna", ""},
		{"a name two users share matches neither", crm.ByName, "Jan Nowak", ""},
		{"an empty name matches nobody", crm.ByName, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, ok := NewDirectory(users, tt.by).Lookup(tt.value)
			if got := u.ID; got != tt.wantID || ok != (tt.wantID != "") {
				t.Errorf("Lookup(%q) = %q, %v, want %q", tt.value, got, ok, tt.wantID)
			}
		})
	}
}

func TestSharedCountsTheUsersANameNames(t *testing.T) {
	d := NewDirectory(users, crm.ByName)
	for value, want := range map[string]int{"jan nowak": 2, "Anna Rossi": 0, "Eve": 0} {
		if got := d.Shared(value); got != want {
			t.Errorf("Shared(%q) = %d, want %d", value, got, want)
		}
	}
}

func TestSelectionCountsRowsPerUserAndUnmatchedValues(t *testing.T) {
	d := NewDirectory(users, crm.ByEmail)
	tally := NewTally()
	for _, v := range []string{"anna.rossi@acme.example", "bo@acme.example", "ANNA.ROSSI@acme.example", "eve@x", "eve@x", "zed@x"} {
		if u, ok := d.Lookup(v); ok {
			tally.Matched(u)
		} else {
			tally.Unmatched(v)
		}
	}
	s := tally.Selection()
	if len(s.Users) != 2 || s.Users[0].User.ID != "u1" || s.Users[0].Rows != 2 || s.Users[1].Rows != 1 {
		t.Errorf("Selection().Users = %+v, want u1 with 2 rows then u2 with 1", s.Users)
	}
	if len(s.Unmatched) != 2 || s.Unmatched[0] != (ValueRows{"eve@x", 2}) || s.Unmatched[1] != (ValueRows{"zed@x", 1}) {
		t.Errorf("Selection().Unmatched = %+v, want eve@x 2 then zed@x 1", s.Unmatched)
	}
}

func TestCheckRefuses(t *testing.T) {
	noMatch := Selection{Unmatched: []ValueRows{{"eve@x", 3}}}
	if err := noMatch.Check(100); crm.KindOf(err) != crm.Invalid || !strings.Contains(err.Error(), `"eve@x" (3 rows)`) {
		t.Errorf("Check(no user matched) = %v, want an invalid error naming eve@x and its rows", err)
	}
	three := Selection{Users: []UserRows{{Rows: 1}, {Rows: 1}, {Rows: 1}}}
	if err := three.Check(2); crm.KindOf(err) != crm.Refused || !strings.Contains(err.Error(), "3 users") || !strings.Contains(err.Error(), "at most 2") {
		t.Errorf("Check(3 users, limit 2) = %v, want a limit error with both counts", err)
	}
	if err := three.Check(3); err != nil {
		t.Errorf("Check(3 users, limit 3) = %v, want nil", err)
	}
	if err := CheckRows(100001, 100000); crm.KindOf(err) != crm.Refused || !strings.Contains(err.Error(), "100001 rows") {
		t.Errorf("CheckRows(100001, 100000) = %v, want a limit error with the count", err)
	}
	if err := CheckRows(100000, 100000); err != nil {
		t.Errorf("CheckRows(100000, 100000) = %v, want nil", err)
	}
}
