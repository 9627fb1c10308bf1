package e2e

import (
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// Two uploads to the same key in quick succession: the bucket keeps both
// versions, and each import reads the version it was started for, so each
// job imports its own bytes.
func TestTwoUploadsToOneKeyImportTheirOwnBytes(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.saveConfig(t, tn, "cfg", `{"version":1,"entity":"customers","mode":"add","key_fields":["customer_number"]}`)
	first := st.upload(t, tn, customers, "customers.csv", []byte("Customer number,Name\nA-1,Erste GmbH\nA-2,Zweite GmbH\nA-3,Dritte GmbH\n"), "cfg")
	second := st.upload(t, tn, customers, "customers.csv", []byte("Customer number,Name\nB-1,Eins AG\nB-2,Zwei AG\n"), "cfg")
	if first == second {
		t.Fatalf("both uploads have import id %s, want one import each", first)
	}
	for id, want := range map[string]crm.Counts{first: {Rows: 3, Created: 3}, second: {Rows: 2, Created: 2}} {
		j := st.waitJob(t, tn, id)
		if j.Status != crm.Succeeded {
			t.Fatalf("import %s: %s (%s), want SUCCEEDED", id, j.Status, j.Reason)
		}
		checkCounts(t, j, want)
	}
	byNumber := byField(st.records(t, tn, anna.ID), "customer_number")
	if len(byNumber) != 5 {
		t.Fatalf("anna has records %v, want the 3 of the first upload and the 2 of the second", byNumber)
	}
	for number, r := range byNumber {
		want := first
		if number[0] == 'B' {
			want = second
		}
		if r.ImportID != want {
			t.Errorf("record %s was written by %s, want %s, the import of the upload that holds it", number, r.ImportID, want)
		}
	}
}
