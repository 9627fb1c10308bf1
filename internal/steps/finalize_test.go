package steps

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/duplicates"
	"github.com/crmimport/crm-import/internal/outcome"
)

func TestFailedImportSaysWhatWasAlreadyApplied(t *testing.T) {
	f := newFixture(t)
	s := State{
		ImportID: "imp-1", Tenant: "acme", Rows: 120,
		Error: &StepError{Error: "PermanentError", Cause: `{"errorType":"PermanentError","errorMessage":"ValidationException: Item size has exceeded the maximum allowed size"}`},
	}
	s = f.mapped(t, s, []crm.UserRef{{ID: "u1", Rows: 50}, {ID: "u2", Rows: 70}}, nil)
	f.createJob(t, s)
	// The first user's apply finished; the second was cut off half-way
	// and left no result, only before-images.
	f.put(t, s.work().Result("u1"), []byte(`{"counts":{"created":40,"updated":10}}`))
	f.beforeImages(t, s, "u2", 85)

	sum, err := f.finalize().Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	j := f.job(t, s.ImportID)
	if n := f.jobs.Calls("Update"); n != 1 || j.Status != crm.Failed {
		t.Fatalf("job updated %d times to %s, want once, to FAILED", n, j.Status)
	}
	reason := j.Reason
	for _, want := range []string{"internal error", "1 of 2 users were applied in full: 40 created, 10 updated", "85 records in all"} {
		if !strings.Contains(reason, want) {
			t.Errorf("reason = %q, want it to contain %q", reason, want)
		}
	}
	if strings.Contains(reason, "ValidationException") {
		t.Errorf("reason = %q, want no internals", reason)
	}
	if c := j.Counts; c.Created != 40 || c.Updated != 10 || c.Rows != 120 {
		t.Errorf("counts = %+v, want the finished user's counts and the file's rows", c)
	}
	if sent := f.sent(t); sum.Status != crm.Failed || sent != "ImportFailed" {
		t.Errorf("summary status %s, event %q, want FAILED and ImportFailed", sum.Status, sent)
	}
	if _, ok := f.files.Object(s.work().Summary()); !ok {
		t.Errorf("no summary written for the failed import")
	}
}

func TestFinalizeFailurePathGivesTheTenantTheReason(t *testing.T) {
	var refused State
	decodeStrict(t, readEvent(t, "finalize-input-failure.json"), &refused)
	const message = "the file assigns rows to 120 users; one import may hold at most 100 users: split the file"
	mapUsers := []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 800}, {ID: bo.ID, Email: bo.Email, Rows: 450}}
	tests := []struct {
		name       string
		in         State
		users      []crm.UserRef    // the Map's items, when it ran
		results    []crm.UserResult // what the users' apply steps left in results/
		wantReason string
		wantCounts crm.Counts
	}{
		{"a refusal before anything was applied gives its message", refused, nil, nil, message, crm.Counts{Rows: 1250, Invalid: 7}},
		{
			"a failure after some users were applied says what they did", refused, mapUsers,
			[]crm.UserResult{{ImportID: refused.ImportID, Tenant: tenant, User: mapUsers[1], Counts: crm.Counts{Created: 400, Updated: 45, Deleted: 5}}},
			message + " (before the failure, 1 of 2 users were applied in full: 400 created, 45 updated, 5 deleted; 450 records in all were changed or about to be",
			crm.Counts{Rows: 1250, Invalid: 7, Created: 400, Updated: 45, Deleted: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := tt.in
			if tt.users != nil {
				in = f.mapped(t, in, tt.users, tt.results)
			}
			f.createJob(t, in)

			sum, err := f.finalize().Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			j := f.job(t, in.ImportID)
			if j.Status != crm.Failed || !strings.HasPrefix(j.Reason, tt.wantReason) || j.Counts != tt.wantCounts {
				t.Errorf("job = %s %q %+v, want FAILED %q... %+v", j.Status, j.Reason, j.Counts, tt.wantReason, tt.wantCounts)
			}
			if !reflect.DeepEqual(sum.Users, tt.results) {
				t.Errorf("summary users = %+v, want the results read back %+v", sum.Users, tt.results)
			}
			if sent := f.sent(t); sent != crm.ImportFailed {
				t.Errorf("event = %q, want %s", sent, crm.ImportFailed)
			}
		})
	}
}

func TestFinalizeSuccessPathSumsUpAndListsTheRowsNotImported(t *testing.T) {
	f := newFixture(t)
	s := State{
		ImportID: "imp-2", Tenant: tenant, Bucket: uploadsName, Key: "incoming/acme/customers/x.csv", Entity: "customers",
		Rows: 7, Invalid: 2, // rows 2 to 8; rows 4 and 7 failed validation
	}
	results := []crm.UserResult{
		{ImportID: "imp-2", Tenant: tenant, User: crm.UserRef{ID: anna.ID, Email: anna.Email, Rows: 3}, Counts: crm.Counts{Created: 1, Failed: 1}},
		{ImportID: "imp-2", Tenant: tenant, User: crm.UserRef{ID: bo.ID, Email: bo.Email, Rows: 2}, Counts: crm.Counts{Updated: 1, Unchanged: 1}},
	}
	s = f.mapped(t, s, []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 3}, {ID: bo.ID, Email: bo.Email, Rows: 2}}, results)
	f.createJob(t, s)
	bad := []crm.RowError{{Row: 7, Column: "Email", Value: "x@", Reason: "is not an e-mail address"}}
	putLines(t, f.files, s.work().Unassigned(),
		crm.Row{Number: 5, Fields: map[string]string{"name": "Nordlicht"}, Assignee: "carl@acme.example"},
		crm.Row{Number: 7, Fields: map[string]string{"name": "Kaputt"}, Assignee: "anna@acme.example", Errors: bad})
	putLines(t, f.files, s.work().Outcomes(anna.ID),
		outcome.Row{Row: 2, Status: outcome.Created, ID: "r2"},
		outcome.Row{Row: 4, Status: outcome.Error, Errors: []crm.RowError{{Column: "Name", Reason: "is empty, but a new record needs it"}}},
		outcome.Row{Row: 6, Status: outcome.Conflict, ID: "r6", Reason: "the record was changed after the preview"})
	putLines(t, f.files, s.work().Outcomes(bo.ID),
		outcome.Row{Row: 3, Status: outcome.Updated, ID: "r3"},
		outcome.Row{Row: 8, Status: outcome.Unchanged, ID: "r8"})

	sum, err := f.finalize().Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	// Row 5 is valid but reached no user: it was skipped.
	wantCounts := crm.Counts{Rows: 7, Invalid: 2, Created: 1, Updated: 1, Unchanged: 1, Skipped: 1, Failed: 1}
	if sum.Status != crm.Succeeded || sum.Counts != wantCounts || !reflect.DeepEqual(sum.Users, results) {
		t.Errorf("Handle() = %s %+v users %+v, want SUCCEEDED %+v with the results", sum.Status, sum.Counts, sum.Users, wantCounts)
	}
	if got, want := errorFileRows(t, f.files.Data(s.work().ErrorFile())), []string{"4", "5", "6", "7"}; !reflect.DeepEqual(got, want) {
		t.Errorf("errors.csv rows = %q, want %q: every row not imported, by row", got, want)
	}
	var saved crm.Summary
	readWorkJSON(t, f, s.work().Summary(), &saved)
	if !reflect.DeepEqual(saved, sum) {
		t.Errorf("summary.json = %+v, want the summary returned %+v", saved, sum)
	}
	j := f.job(t, s.ImportID)
	if j.Status != crm.Succeeded || j.Counts != wantCounts || j.ErrorFile != s.work().ErrorFile() || j.Summary != s.work().Summary() {
		t.Errorf("job = %s %+v error file %q summary %q, want SUCCEEDED with the counts and both files", j.Status, j.Counts, j.ErrorFile, j.Summary)
	}
	if sent := f.sent(t); sent != crm.ImportSucceeded {
		t.Errorf("event = %q, want %s", sent, crm.ImportSucceeded)
	}
}

// errorFileRows returns the row column of an error file's lines.
func errorFileRows(t *testing.T, data []byte) []string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) == 0 || records[0][0] != "row" {
		t.Fatalf("error file %q: %v, want a header and lines", data, err)
	}
	var rows []string
	for _, r := range records[1:] {
		rows = append(rows, r[0])
	}
	return rows
}

// createJob creates the job of s, as the trigger would have.
func (f *fixture) createJob(t *testing.T, s State) {
	t.Helper()
	if _, err := f.jobs.Create(context.Background(), crm.Job{Tenant: s.Tenant, ID: s.ImportID, Entity: s.Entity, Status: crm.Applying}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) put(t *testing.T, key string, data []byte) {
	t.Helper()
	if err := f.files.Put(context.Background(), key, data, crm.JSON); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) putJSON(t *testing.T, key string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	f.put(t, key, data)
}

// beforeImages leaves the before-images of n records of user, as an apply
// cut off half-way does.
func (f *fixture) beforeImages(t *testing.T, s State, user string, n int) {
	t.Helper()
	writes := make([]crm.Write, n)
	for i := range writes {
		writes[i] = crm.Write{Kind: crm.WriteCreate, ID: fmt.Sprintf("r%03d", i), Fields: map[string]string{"name": "x"}, Version: 1}
	}
	scope := crm.Scope{Tenant: s.Tenant, User: user, Entity: "customers", ImportID: s.ImportID}
	if err := f.records.Write(context.Background(), scope, writes); err != nil {
		t.Fatal(err)
	}
}

// sent returns the detail type of the one event sent.
func (f *fixture) sent(t *testing.T) string {
	t.Helper()
	events := f.notifier.Events()
	if len(events) != 1 {
		t.Fatalf("events sent = %+v, want one", events)
	}
	return events[0].DetailType
}

// Finalize looks for likely duplicates among the import's records and the
// tenant's others, every user's, and keeps the report with the summary.
func TestFinalizeReportsLikelyDuplicates(t *testing.T) {
	f := newFixture(t)
	s := State{ImportID: "imp-3", Tenant: tenant, Entity: "customers", Rows: 2}
	s = f.mapped(t, s, []crm.UserRef{{ID: anna.ID}},
		[]crm.UserResult{{ImportID: "imp-3", Tenant: tenant, User: crm.UserRef{ID: anna.ID}, Counts: crm.Counts{Created: 2}}})
	f.createJob(t, s)
	f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "n1", ImportID: "imp-3", Fields: map[string]string{"name": "Nord AG", "email": "info@nord.example"}})
	f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "n2", ImportID: "imp-3", Fields: map[string]string{"name": "Süd AG"}})
	f.records.Put(tenant, bo.ID, crm.Record{Entity: "customers", ID: "o1", ImportID: "old", Fields: map[string]string{"name": "Nord", "email": "INFO@nord.example"}})
	f.records.Put(tenant, bo.ID, crm.Record{Entity: "contacts", ID: "k1", ImportID: "old", Fields: map[string]string{"email": "info@nord.example"}})

	sum, err := f.finalize().Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	var rep duplicates.Report
	readWorkJSON(t, f, s.work().Duplicates(), &rep)
	want := []duplicates.Pair{{A: duplicates.Ref{ID: "n1", User: anna.ID, Name: "Nord AG", Import: true}, B: duplicates.Ref{ID: "o1", User: bo.ID, Name: "Nord"},
		Shared: map[string]string{duplicates.Email: "info@nord.example"}}}
	if sum.Duplicates != 1 || rep.Checked != 3 || !reflect.DeepEqual(rep.Pairs, want) {
		t.Errorf("summary duplicates %d, report %+v; want 1 pair %+v of the 3 customers (the contact is another entity)", sum.Duplicates, rep, want)
	}
}

// Finalize's answer is the execution's output, capped at 256 KB by Step
// Functions: an import of 1,000 users answers the first users and a count,
// and its summary file still lists every user.
func TestFinalizeAnswersWithinStepFunctionsLimitForThousandsOfUsers(t *testing.T) {
	f := newFixture(t)
	s := State{ImportID: "imp-big", Tenant: tenant, Bucket: uploadsName, Key: "incoming/acme/customers/x.csv", Entity: "customers", Rows: 3000}
	var users []crm.UserRef
	var results []crm.UserResult
	for i := range 3000 {
		u := crm.UserRef{ID: fmt.Sprintf("u-%05d", i), Email: fmt.Sprintf("sales.agent.%05d@acme.example", i), Rows: 1}
		users = append(users, u)
		results = append(results, crm.UserResult{ImportID: s.ImportID, Tenant: tenant, User: u, Counts: crm.Counts{Created: 1}})
	}
	s = f.mapped(t, s, users, results)
	f.createJob(t, s)
	sum, err := f.finalize().Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	out, _ := json.Marshal(sum)
	if len(out) > 256<<10 || sum.Counts.Created != 3000 || sum.UsersOmitted != 3000-crm.EventUsers {
		t.Errorf("Handle() = %d bytes, %d created, %d users omitted; want at most 256 KB, 3000, %d", len(out), sum.Counts.Created, sum.UsersOmitted, 3000-crm.EventUsers)
	}
	var file crm.Summary
	data, _ := f.files.Object(s.work().Summary())
	if err := json.Unmarshal(data.Data, &file); err != nil || len(file.Users) != 3000 {
		t.Errorf("summary file lists %d users (%v), want 3000", len(file.Users), err)
	}
}
