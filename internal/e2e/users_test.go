package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// A tenant with one user imports its three sales agents, then customers
// assigned by employee number: each customer lands with the agent the
// users import just wrote into the directory.
func TestImportOfUsersMakesAssignmentByEmployeeNumberWork(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)

	const staff = "Employee number,Email,First name,Last name\n" +
		"2001,carl.lund@demo.example,Carl,Lund\n" +
		"2002,Dora.Ek@demo.example,Dora,Ek\n" +
		"2003,erik.holm@demo.example,Erik,Holm\n"
	st.saveConfig(t, tn, "staff", `{"version":1,"entity":"users"}`)
	id := st.upload(t, tn, "users", "staff.csv", []byte(staff), "staff")
	j := st.waitJob(t, tn, id)
	if j.Status != crm.Succeeded || j.Counts.Created != 3 || j.Counts.Rows != 3 {
		t.Fatalf("users import = %s (%s), counts %+v, want SUCCEEDED with 3 users created", j.Status, j.Reason, j.Counts)
	}
	users, err := st.tenants.Users(t.Context(), tn)
	if err != nil {
		t.Fatalf("Users(%s) = %v", tn, err)
	}
	byNumber := map[string]crm.User{}
	for _, u := range users {
		byNumber[u.EmployeeNumber] = u
	}
	if len(users) != 4 || byNumber[anna.EmployeeNumber].ID != anna.ID {
		t.Fatalf("Users(%s) = %+v, want anna and the three imported", tn, users)
	}
	for number, email := range map[string]string{"2001": "carl.lund@demo.example", "2002": "Dora.Ek@demo.example", "2003": "erik.holm@demo.example"} {
		u := byNumber[number]
		if u.Email != email || u.ID != steps.UserID(tn, email) {
			t.Errorf("user %s = %+v, want %s with the id from the tenant and the e-mail", number, u, email)
		}
	}
	if recs := st.records(t, tn, anna.ID); len(recs) != 0 {
		t.Errorf("anna's records after the users import = %+v, want none: users are not a sales agent's records", recs)
	}

	const shopsCSV = "Customer number,Name,City,Agent\n" +
		"C-1,Müller GmbH,Berlin,2001\n" +
		"C-2,Rossi S.r.l.,Roma,2002\n" +
		"C-3,Dupont SARL,Paris,2003\n" +
		"C-4,Svensson AB,Stockholm,2001\n"
	st.saveConfig(t, tn, "by-number", `{"version":1,"entity":"customers","mode":"update","key_fields":["customer_number"],`+
		`"mapping":{"Agent":"ignore"},"assignment":{"column":"Agent","by":"employee_number"}}`)
	id = st.upload(t, tn, customers, "shops.csv", []byte(shopsCSV), "by-number")
	j = st.waitJob(t, tn, id)
	if j.Status != crm.Succeeded || j.Counts.Created != 4 || j.Users != 3 {
		t.Fatalf("customers import = %s (%s), counts %+v, users %d, want SUCCEEDED with 4 created for 3 users", j.Status, j.Reason, j.Counts, j.Users)
	}
	want := map[string][]string{"2001": {"C-1", "C-4"}, "2002": {"C-2"}, "2003": {"C-3"}}
	for number, numbers := range want {
		u := byNumber[number]
		var got []string
		for _, r := range st.records(t, tn, u.ID) {
			got = append(got, r.Fields["customer_number"])
		}
		slices.Sort(got)
		if strings.Join(got, ",") != strings.Join(numbers, ",") {
			t.Errorf("records of %s (%s) = %v, want %v", u.Email, number, got, numbers)
		}
	}
	if recs := st.records(t, tn, anna.ID); len(recs) != 0 {
		t.Errorf("anna's records = %+v, want none: no row names her", recs)
	}
}
