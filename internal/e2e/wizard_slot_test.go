package e2e

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// stepFunctions are the workflow's step functions, whose requests the
// slot test measures.
var stepFunctions = []string{"ValidateFunction", "SplitFunction", "NextFunction", "WaitFunction", "PreviewFunction", "ApplyFunction", "FinalizeFunction"}

func resetStepStats(t *testing.T, st *stack) {
	for _, f := range stepFunctions {
		st.cloud.ResetFunctionStats(t, f)
	}
}

// logStepStats logs what each step function asked of DynamoDB, and
// returns the sum.
func logStepStats(t *testing.T, st *stack, what string) int {
	sum := 0
	for _, f := range stepFunctions {
		s := st.cloud.FunctionStats(t, f)
		n := 0
		for _, count := range s["dynamodb"] {
			n += count
		}
		sum += n
		t.Logf("%s: %s dynamodb %v", what, f, s["dynamodb"])
	}
	t.Logf("%s: %d DynamoDB requests in all", what, sum)
	return sum
}

// TestAWaitingWizardLeavesItsSlotToTheTenantsOtherImports: a tenant that
// runs one import at a time has an attended import waiting for its
// selection; the nightly sync dropped meanwhile runs to its end rather
// than waiting for the tenant's answer. After the answers the attended
// import takes its slot again and ends with its progress at its total,
// the excluded user's rows left out. Not parallel: it measures the step
// functions' requests (shared by the binary's tests) and logs them.
func TestAWaitingWizardLeavesItsSlotToTheTenantsOtherImports(t *testing.T) {
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	if err := st.tenants.PutProfile(context.Background(), tn, crm.Profile{MaxRunningImports: 1}); err != nil {
		t.Fatalf("PutProfile: %v", err)
	}
	w := newWizard(t, st, tn)
	file := "Customer number,Name,Agent email\nQ-1,One,anna.berg@demo.example\nQ-2,Two,anna.berg@demo.example\nQ-3,Three,bo@demo.example\n"
	id := w.startAttended(t, "attended.csv", []byte(file), "")
	w.waitFor(t, id, crm.ForSelection, "")

	resetStepStats(t, st)
	sync := "Customer number,Name,Agent email\nN-1,Night,anna.berg@demo.example\nN-2,Owl,bo@demo.example\n"
	j := st.waitJob(t, tn, st.upload(t, tn, customers, "nightly.csv", []byte(sync), ""))
	if j.Status != crm.Succeeded || j.Counts.Created != 2 {
		t.Fatalf("nightly sync = %s (%s), %+v; want SUCCEEDED with 2 created while the attended import waits", j.Status, j.Reason, j.Counts)
	}
	logStepStats(t, st, "unattended import of 2 users, 2 rows")

	resetStepStats(t, st)
	w.post(t, id, "/selection", map[string]any{"exclude": []string{bo.ID}})
	w.waitFor(t, id, crm.ForDecision, anna.ID)
	w.post(t, id, "/decision", map[string]any{"decision": "import", "user": anna.ID})
	j = st.waitJob(t, tn, id)
	if j.Status != crm.Succeeded || j.Counts.Created != 2 || j.Done != 2 || j.Total != 2 {
		t.Errorf("attended import = %s (%s), %+v, applied %d/%d; want SUCCEEDED, 2 created, 2/2 (bo's row left out)", j.Status, j.Reason, j.Counts, j.Done, j.Total)
	}
	if j.Waiting[steps.WaitingForSlot] != "" {
		t.Errorf("job waiting = %v, want no slot waited for", j.Waiting)
	}
	logStepStats(t, st, "attended import after the selection: 1 user previewed, imported; 1 excluded")
}
