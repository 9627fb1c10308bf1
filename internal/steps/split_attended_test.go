package steps

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// TestSplitLeavesAnAttendedImportPreviewing: nothing is written until the
// tenant says so, so an attended import does not say APPLYING while it
// waits for the selection; an unattended one goes straight to the Map.
func TestSplitLeavesAnAttendedImportPreviewing(t *testing.T) {
	tests := []struct {
		name, by string
		want     crm.Status
	}{
		{"an import a person started is attended", "ada@acme.example", crm.Previewing},
		{"a file a sync dropped is not", "", crm.Applying},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s, err := f.split().Handle(context.Background(), f.validatedAs(t, agentsCSV, "administrator", tt.by))
			if err != nil {
				t.Fatalf("Split.Handle = %v", err)
			}
			if j := f.job(t, s.ImportID); j.Status != tt.want || j.Total != 3 {
				t.Errorf("job = %s, total %d; want %s, total 3", j.Status, j.Total, tt.want)
			}
		})
	}
}

// TestSplitBoundsTheUsersOfAnAttendedImport: a profile may raise the
// users of an import far past what one execution's history holds when
// each is reviewed one by one (MaxAttendedUsers); an attended import of
// more is refused in words, an unattended one is not.
func TestSplitBoundsTheUsersOfAnAttendedImport(t *testing.T) {
	const users = MaxAttendedUsers + 1
	var file strings.Builder
	file.WriteString("Customer number,Name,Agent email\n")
	for i := range users {
		fmt.Fprintf(&file, "%d,Customer %d,agent%d@acme.example\n", 1000+i, i, i)
	}
	tests := []struct {
		name, by string
		wantErr  string
	}{
		{"attended", "ada@acme.example", fmt.Sprintf("the file assigns rows to %d users; an import you review user by user can have at most %d users: use an unattended configuration", users, MaxAttendedUsers)},
		{"unattended", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.tenants.PutProfile(tenant, crm.Profile{MaxUsers: 1000})
			for i := range users {
				f.tenants.PutUser(tenant, crm.User{ID: fmt.Sprintf("u-%d", i), Email: fmt.Sprintf("agent%d@acme.example", i)})
			}
			in := f.validatedAs(t, file.String(), "administrator", tt.by)
			s, err := f.split().Handle(context.Background(), in)
			if tt.wantErr == "" {
				if err != nil || len(f.mapItems(t, s)) != users {
					t.Errorf("Split.Handle = %d users, %v; want %d users", len(f.mapItems(t, s)), err, users)
				}
				return
			}
			checkError(t, "Split.Handle", err, crm.Refused, tt.wantErr)
			if written := f.files.Keys(in.work().Prefix() + "users/"); len(written) > 0 {
				t.Errorf("refused split wrote %d users' files, want none", len(written))
			}
		})
	}
}
