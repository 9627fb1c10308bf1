package steps

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// A Distributed Map that fails says only that a child failed; the import's
// reason is still the words of the user's refusal, and only of a refusal.
func TestAUsersRefusalInTheMapIsTheImportsReason(t *testing.T) {
	const words = "the plan of bo@acme.example names company \"Gone Ltd\", which bo has no record of"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a refusal gives its words", crm.Errorf(crm.Refused, "%s", words), words},
		{"an invalid file gives its words", crm.Errorf(crm.Invalid, "%s", words), words},
		{"an internal error stays generic", crm.Errorf(crm.Internal, "ValidationException: %s", words), crm.InternalMessage},
		{"a retried kind stays generic", crm.Errorf(crm.Unavailable, "%s", words), crm.InternalMessage},
		{"a wait for another import that gave up says so", crm.LeaseBusy(crm.Lease{Tenant: tenant, User: bo.ID, Entity: "customers"}, "imp-other"), "the import waited too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := State{ImportID: "imp-m", Tenant: tenant, Rows: 3,
				Error: &StepError{Error: mapFailedName, Cause: "The specified tolerated failure threshold was exceeded"}}
			s = f.mapped(t, s, []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 1}, {ID: bo.ID, Email: bo.Email, Rows: 2}}, nil)
			f.createJob(t, s)
			keepUserFailure(context.Background(), slog.Default(), f.files, UserTask{ImportID: s.ImportID, Tenant: tenant, User: crm.UserRef{ID: bo.ID}}, tt.err)

			if _, err := f.finalize().Handle(context.Background(), s); err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			if j := f.job(t, s.ImportID); j.Status != crm.Failed || !strings.HasPrefix(j.Reason, tt.want) {
				t.Errorf("job = %s %q, want FAILED %q", j.Status, j.Reason, tt.want)
			}
		})
	}
}
