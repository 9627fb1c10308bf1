package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The inline Map took at most 701 users: each user's iterations put
// about 35.7 events (25,000 / 701) in the execution's history, which Step
// Functions ends at 25,000, and the state carried a list of the users and
// one of their results, about 300 bytes a user, toward its 256 KB.
const (
	inlineMapUsers  = 701
	eventsPerUser   = 25000.0 / inlineMapUsers
	historyLimit    = 25000
	defaultManyUser = 250
)

// finalizeInputBound is what Finalize's input may weigh whatever the
// users: a few keys and counts.
const finalizeInputBound = 16 << 10

// manyUsers is how many users the test imports: 250 by default, which
// took 73 s within the whole e2e suite on the project's shared 2-core machine
// (every user costs a preview and an apply invocation, about 0.3 s of
// moto's time), and shows both bounds: the history stays the same size
// where the inline Map's would have grown by about 8,900 events, and
// Finalize's input stays under 16 KB where the lists weigh about 75 KB.
// E2E_MANY_USERS=720 runs it past the inline Map's limit (measured: 5
// minutes 20 s, 46 events, Finalize's input 1,011 bytes against 213,841
// bytes of lists).
func manyUsers(t *testing.T) int {
	v := os.Getenv("E2E_MANY_USERS")
	if v == "" {
		return defaultManyUser
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("E2E_MANY_USERS = %q, want a number of users", v)
	}
	return n
}

// TestAnImportOfManyUsersRunsInTheDistributedMap imports a file of one or
// two small rows for each of hundreds of users: the Distributed Map reads
// them from the manifest split wrote, every row is created for its user,
// the execution's history does not grow with the users, and Finalize's
// input stays small.
func TestAnImportOfManyUsersRunsInTheDistributedMap(t *testing.T) {
	manyUsers := manyUsers(t)
	st := newStack(t)
	ctx := context.Background()
	tn := newTenant(t)
	if err := st.tenants.PutProfile(ctx, tn, crm.Profile{MaxUsers: manyUsers}); err != nil {
		t.Fatalf("PutProfile: %v", err)
	}
	agent := func(i int) string { return fmt.Sprintf("agent%04d@many.example", i) }
	userID := func(i int) string { return fmt.Sprintf("u-%04d", i) }
	for i := range manyUsers {
		st.addUser(t, tn, crm.User{ID: userID(i), Email: agent(i), Name: fmt.Sprintf("Agent %d", i)})
	}
	st.saveConfig(t, tn, "many", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"],
		"assignment": {"column": "Agent email", "by": "email"}}`)
	// One or two rows a user, every user's rows apart in the file.
	var file bytes.Buffer
	fmt.Fprintln(&file, "Customer number,Name,Agent email")
	rows := 0
	want := map[string][]string{} // user -> customer numbers
	for round := range 2 {
		for i := range manyUsers {
			if round == 1 && i%2 == 1 {
				continue
			}
			number := fmt.Sprintf("K-%04d-%d", i, round)
			fmt.Fprintf(&file, "%s,Kunde %d/%d,%s\n", number, i, round, agent(i))
			want[userID(i)] = append(want[userID(i)], number)
			rows++
		}
	}

	start := time.Now()
	id := st.upload(t, tn, "customers", "many-users.csv", file.Bytes(), "many")
	j := st.waitJobFor(t, tn, id, 10*time.Minute)
	took := time.Since(start)
	if j.Status != crm.Succeeded {
		t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	if wantCounts := (crm.Counts{Rows: rows, Created: rows}); j.Counts != wantCounts || j.Users != manyUsers || j.Done != rows {
		t.Errorf("job counts = %+v, %d users, %d done; want %+v, %d users, %d done", j.Counts, j.Users, j.Done, wantCounts, manyUsers, rows)
	}
	for i := range manyUsers {
		u := userID(i)
		got := byField(st.records(t, tn, u), "customer_number")
		if len(got) != len(want[u]) {
			t.Errorf("records of %s = %d, want %d (%v)", u, len(got), len(want[u]), want[u])
			continue
		}
		for _, n := range want[u] {
			if r, ok := got[n]; !ok || r.ImportID != id {
				t.Errorf("record %s of %s = %+v, want it created by %s", n, u, r, id)
			}
		}
	}

	var sum struct {
		Users []struct {
			User crm.UserRef `json:"user"`
		} `json:"users"`
	}
	if err := json.Unmarshal(st.object(t, crm.Work{Tenant: tn, ImportID: id}.Summary()), &sum); err != nil || len(sum.Users) != manyUsers {
		t.Errorf("summary.json lists %d users (%v), want %d", len(sum.Users), err, manyUsers)
	}

	events, finalizeInput := st.finalizeInput(t, id)
	if finalizeInput == "" || len(finalizeInput) > finalizeInputBound {
		t.Errorf("Finalize's input = %d bytes, want some and at most %d: no list growing with users", len(finalizeInput), finalizeInputBound)
	}
	// The children's events are in their own histories: the import's
	// holds its own steps and the Map's start and end, whatever the users.
	if inline := int(eventsPerUser * float64(manyUsers)); events > 100 {
		t.Errorf("execution history = %d events, want at most 100 (the inline Map's would hold about %d, the limit is %d)", events, inline, historyLimit)
	}
	for _, list := range []string{`"users":[`, `"results":[`} {
		if strings.Contains(finalizeInput, list) {
			t.Errorf("Finalize's input holds a list %s...: %.300s", list, finalizeInput)
		}
	}
	// What the inline Map's state carried instead: the users (split's
	// output) and the results (the Map's), both in the bucket now.
	w := crm.Work{Tenant: tn, ImportID: id}
	lists := len(st.object(t, w.Items()))
	for i := range manyUsers {
		lists += len(st.object(t, w.Result(userID(i))))
	}
	if lists <= finalizeInputBound {
		t.Errorf("the lists of users and results = %d bytes, want more than %d: too few users to show the bound", lists, finalizeInputBound)
	}
	t.Logf("%d users, %d rows: %s from the upload to the job's end; %d events in the execution's history; Finalize's input %d bytes (the lists of users and results it carried before: %d bytes)",
		manyUsers, rows, took.Round(100*time.Millisecond), events, len(finalizeInput), lists)
}

// finalizeInput reads the import's execution history: how many events it
// holds and the payload the Finalize state sent its function.
func (st *stack) finalizeInput(t *testing.T, id string) (int, string) {
	t.Helper()
	if exec := st.execution(t, id); exec.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("execution status = %s, want SUCCEEDED", exec.Status)
	}
	arn := strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	p := sfn.NewGetExecutionHistoryPaginator(st.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
	events, state, input := 0, "", ""
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetExecutionHistory(%s): %v", id, err)
		}
		for _, e := range page.Events {
			events++
			switch {
			case e.StateEnteredEventDetails != nil:
				state = aws.ToString(e.StateEnteredEventDetails.Name)
			case state == "Finalize" && e.TaskScheduledEventDetails != nil:
				var params struct {
					Payload json.RawMessage `json:"Payload"`
				}
				if err := json.Unmarshal([]byte(aws.ToString(e.TaskScheduledEventDetails.Parameters)), &params); err != nil {
					t.Fatalf("Finalize's parameters %.300s: %v", aws.ToString(e.TaskScheduledEventDetails.Parameters), err)
				}
				input = string(params.Payload)
			}
		}
	}
	return events, input
}
