package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// undoCreated is how many records the import of TestUndoStoppedMidWay
// creates for anna, beside what it changes: enough batches of one
// before-image to stop the undo among them.
const undoCreated = 40

// TestUndoStoppedMidWayThenRunAgain: an import (anna's 40 new customers,
// an update, bo's deletions) is undone by its workflow a before-image per
// batch; the execution is stopped after a few batches, with the job's
// undo still RUNNING and half done. The confirm that follows takes the run
// over and finishes it: the tenant's records are, item by item, what they
// were before the import; the counts are the dry run's; ImportUndone is on
// the stack's bus; the other tenant's items never changed.
func TestUndoStoppedMidWayThenRunAgain(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	ctx := context.Background()
	tn, other := seedTenants(t, st, numbered)
	otherBefore := st.tenantItems(t, other)
	before := recordItems(st.tenantItems(t, tn))
	q, queue := st.subscribe(t, tn)
	rows := []string{"Customer number,Name,City,Email,Agent email",
		"C-1,Müller GmbH,Potsdam,,anna.berg@demo.example",
		"C-2,Rossi S.r.l.,Roma,,anna.berg@demo.example",
		"C-5,Kowalski Sp. z o.o.,Kraków,,bo@demo.example"}
	for i := range undoCreated {
		rows = append(rows, fmt.Sprintf("N-%03d,Neu %d GmbH,Hamburg,,anna.berg@demo.example", i, i))
	}
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "update_delete", "key_fields": ["customer_number"], `+byAgent+`}`, strings.Join(rows, "\n")+"\n")
	checkCounts(t, j, crm.Counts{Rows: 3 + undoCreated, Created: undoCreated, Updated: 1, Unchanged: 2, Deleted: 7})
	admin := newWizard(t, st, tn)
	dry := admin.undo(t, j.ID, map[string]any{})
	if want := [3]int{undoCreated, 8, 0}; dry.counts() != want {
		t.Fatalf("dry run = %v, want %v", dry.counts(), want)
	}

	// The undo workflow, started as the API starts it, a before-image a
	// batch, stopped once a few batches are done.
	exec := j.ID + "-undo-stopped"
	input, _ := json.Marshal(steps.UndoState{Tenant: tn, ImportID: j.ID, Execution: exec, By: tn + "-admin@demo.example", At: time.Now().UTC(), BatchSize: 1})
	started, err := st.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(st.cloud.Output(t, "UNDO_STATE_MACHINE_ARN")), Name: &exec, Input: aws.String(string(input)),
	})
	if err != nil {
		t.Fatalf("StartExecution(undo): %v", err)
	}
	run := admin.undoProgress(t, j.ID, func(r *crm.UndoRun) bool { return r != nil && r.Done >= 3 })
	if _, err := st.sfn.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: started.ExecutionArn}); err != nil {
		t.Fatalf("StopExecution(undo): %v", err)
	}
	stopped := admin.undoProgress(t, j.ID, func(*crm.UndoRun) bool { return true })
	if stopped.Status != crm.UndoRunning || stopped.Done >= stopped.Total || stopped.Total != undoCreated+8 {
		t.Fatalf("undo after StopExecution = %+v (first seen %+v), want RUNNING, part of %d done", stopped, run, undoCreated+8)
	}
	if got := recordItems(st.tenantItems(t, tn)); cmp.Equal(got, before) {
		t.Fatalf("records after the stop are as before the import: the undo was not stopped mid-way")
	}

	// Confirmed again: the stopped run is taken over, and finished.
	act := admin.undo(t, j.ID, map[string]any{"confirm": true})
	if act.counts() != dry.counts() {
		t.Errorf("undo run again = %v, want the dry run's %v", act.counts(), dry.counts())
	}
	if act.Undo.Done != undoCreated+8 || act.Undo.Total != undoCreated+8 || act.Undo.EndedAt == nil {
		t.Errorf("undo run again = %+v, want %d of %d done, ended", act.Undo, undoCreated+8, undoCreated+8)
	}
	if diff := cmp.Diff(before, recordItems(st.tenantItems(t, tn))); diff != "" {
		t.Errorf("the tenant's records after the undo differ from before the import (-before +after):\n%s", diff)
	}
	got := eventsOf(t, q, queue, crm.ImportUndone)
	var detail struct {
		Tenant   string     `json:"tenant"`
		ImportID string     `json:"importId"`
		Undone   crm.Undone `json:"undone"`
	}
	if len(got) != 1 || json.Unmarshal([]byte(got[0]), &detail) != nil || detail.Tenant != tn || detail.ImportID != j.ID || detail.Undone.Deleted != undoCreated || detail.Undone.Restored != 8 {
		t.Errorf("ImportUndone events = %q, want one for %s with %d deleted, 8 restored", got, j.ID, undoCreated)
	}
	if diff := cmp.Diff(otherBefore, st.tenantItems(t, other)); diff != "" {
		t.Errorf("the other tenant's items changed (-before +after):\n%s", diff)
	}
}

// undoProgress asks GET /imports/{id} until its undo run satisfies ok,
// and answers it.
func (w *wizard) undoProgress(t *testing.T, id string, ok func(*crm.UndoRun) bool) crm.UndoRun {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var view struct {
			Undo *crm.UndoRun `json:"undo"`
		}
		if code := call(t, w.api+"/imports/"+id, w.token, &view); code != http.StatusOK {
			t.Fatalf("GET /imports/%s = %d, want 200", id, code)
		}
		if ok(view.Undo) {
			return *view.Undo
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /imports/%s: undo %+v, not there within 2 minutes", id, view.Undo)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordItems are the users' records among a tenant's items.
func recordItems(items map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for k, v := range items {
		if pk, _, _ := strings.Cut(k, "|"); strings.Contains(pk, "#U#") {
			out[k] = v
		}
	}
	return out
}

// eventsOf reads the tenant's events off its queue for a while and
// answers the details of those of detailType.
func eventsOf(t *testing.T, q *sqs.Client, url, detailType string) []string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(15 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			var ev struct {
				DetailType string          `json:"detail-type"`
				Detail     json.RawMessage `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("event %q is not JSON: %v", aws.ToString(m.Body), err)
			}
			if ev.DetailType == detailType {
				got = append(got, string(ev.Detail))
			}
			q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
	}
	return got
}
