package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// undoFixture is an ended import of 7 records of one user: 4 created, 3
// updated, one of those edited by hand since.
type undoFixture struct {
	records *crmtest.Records
	jobs    *crmtest.Jobs
	files   *crmtest.Files
	events  *crmtest.Notifier
	step    *Undo
}

func newUndoFixture(t *testing.T) *undoFixture {
	t.Helper()
	ctx := context.Background()
	f := &undoFixture{records: &crmtest.Records{PageSize: 2}, jobs: crmtest.NewJobs(), files: crmtest.NewFiles(), events: crmtest.NewNotifier()}
	if _, err := f.jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-u", Status: crm.Succeeded}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f.records.Put("acme", "anna", crm.Record{Entity: "customers", ID: fmt.Sprintf("u%d", i), Fields: map[string]string{"name": "Old"}, Version: 2})
	}
	s := crm.Scope{Tenant: "acme", User: "anna", Entity: "customers", ImportID: "imp-u"}
	cur, err := f.records.Current(ctx, s, "a", "z")
	if err != nil {
		t.Fatal(err)
	}
	var writes []crm.Write
	for i := range 4 {
		writes = append(writes, crm.Write{Kind: crm.WriteCreate, ID: fmt.Sprintf("c%d", i), Row: i + 2, Fields: map[string]string{"name": "New"}, Version: 1})
	}
	for i := range 3 {
		old := cur[fmt.Sprintf("u%d", i)]
		writes = append(writes, crm.Write{Kind: crm.WriteUpdate, ID: old.ID, Row: i + 6, Fields: map[string]string{"name": "Changed"}, Version: 3, Before: &old})
	}
	if err := f.records.Write(ctx, s, writes); err != nil {
		t.Fatal(err)
	}
	f.records.Put("acme", "anna", crm.Record{Entity: "customers", ID: "u1", Fields: map[string]string{"name": "By hand"}, Version: 4})
	f.step = &Undo{Records: f.records, Runs: f.jobs, Jobs: f.jobs, Files: f.files, Notifier: f.events, Log: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }}
	return f
}

// drive runs the workflow's loop as the state machine does: start, then
// batches while there are more, then end; stopAfter > 0 stops it after
// that many batches, as StopExecution does.
func (f *undoFixture) drive(t *testing.T, execution string, stopAfter int) UndoState {
	t.Helper()
	ctx := context.Background()
	s := UndoState{Tenant: "acme", ImportID: "imp-u", Execution: execution, By: "admin@acme.example", BatchSize: 2}
	s, err := f.step.Handle(ctx, UndoInput{Action: UndoStart, State: s})
	if err != nil {
		t.Fatalf("Handle(start) error %v", err)
	}
	for batches := 0; s.More; batches++ {
		if stopAfter > 0 && batches == stopAfter {
			return s
		}
		if s, err = f.step.Handle(ctx, UndoInput{Action: UndoBatch, State: s}); err != nil {
			t.Fatalf("Handle(batch) error %v", err)
		}
		run := f.job(t).Undo
		if run == nil || run.Status != crm.UndoRunning || run.Done != s.Done || run.Total != 7 {
			t.Fatalf("job's undo after batch %d = %+v, want RUNNING at %d of 7", batches+1, run, s.Done)
		}
	}
	if s, err = f.step.Handle(ctx, UndoInput{Action: UndoEnd, State: s}); err != nil {
		t.Fatalf("Handle(end) error %v", err)
	}
	return s
}

func (f *undoFixture) job(t *testing.T) crm.Job {
	t.Helper()
	j, err := f.jobs.Get(context.Background(), "acme", "imp-u")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (f *undoFixture) table() map[string]string {
	out := map[string]string{}
	for i := range 4 {
		if r, ok := f.records.Get("acme", "anna", "customers", fmt.Sprintf("c%d", i)); ok {
			out[r.ID] = r.Fields["name"]
		}
	}
	for i := range 3 {
		r, _ := f.records.Get("acme", "anna", "customers", fmt.Sprintf("u%d", i))
		out[r.ID] = fmt.Sprintf("%s v%d", r.Fields["name"], r.Version)
	}
	return out
}

// TestUndoWorkflowRunsInBatches: batch by batch the job's undo shows the
// progress; at the end the created records are gone, the updated ones put
// back but the one edited by hand, the run SUCCEEDED with the counts, the
// job undone, the conflict kept with its fields, and ImportUndone sent.
func TestUndoWorkflowRunsInBatches(t *testing.T) {
	f := newUndoFixture(t)
	s := f.drive(t, "imp-u-undo-1", 0)
	if s.Batches != 4 {
		t.Errorf("batches = %d, want 4 of 2 images", s.Batches)
	}
	want := map[string]string{"u0": "Old v2", "u1": "By hand v4", "u2": "Old v2"}
	if got := f.table(); !maps.Equal(got, want) {
		t.Errorf("records after undo = %v, want %v", got, want)
	}
	j := f.job(t)
	run := j.Undo
	if run == nil || run.Status != crm.UndoSucceeded || run.Done != 7 || run.Total != 7 || run.Deleted != 4 || run.Restored != 2 || run.Conflicts != 1 || run.EndedAt == nil || run.By != "admin@acme.example" {
		t.Errorf("job's undo = %+v, want SUCCEEDED 7/7: 4 deleted, 2 restored, 1 conflict, by admin@acme.example", run)
	}
	if u := j.Undone; u == nil || u.Deleted != 4 || u.Restored != 2 || u.Conflicts != 1 {
		t.Errorf("job undone = %+v, want 4 deleted, 2 restored, 1 conflict", u)
	}
	kept, err := ReadUndoConflicts(context.Background(), f.files, "acme", "imp-u")
	if err != nil || len(kept.Conflicts) != 1 || kept.Conflicts[0].ID != "u1" || kept.Conflicts[0].Now["name"] != "By hand" || kept.Conflicts[0].Undo["name"] != "Old" {
		t.Errorf("ReadUndoConflicts() = %+v, %v, want u1 now By hand, undo Old", kept, err)
	}
	events := f.events.Events()
	if len(events) != 1 || events[0].DetailType != crm.ImportUndone {
		t.Fatalf("events = %+v, want one ImportUndone", events)
	}
	var detail struct {
		Tenant   string     `json:"tenant"`
		ImportID string     `json:"importId"`
		Undone   crm.Undone `json:"undone"`
	}
	if err := json.Unmarshal(events[0].Detail, &detail); err != nil || detail.Tenant != "acme" || detail.ImportID != "imp-u" || detail.Undone.Deleted != 4 {
		t.Errorf("ImportUndone detail = %s (%v), want tenant acme, import imp-u, 4 deleted", events[0].Detail, err)
	}
}

// TestUndoWorkflowStoppedThenRunAgain: an execution stopped after two
// batches, then a new one from the start, end as one run does: the same
// records, the same counts; the stopped execution can no longer write the
// run.
func TestUndoWorkflowStoppedThenRunAgain(t *testing.T) {
	whole := newUndoFixture(t)
	want := whole.drive(t, "imp-u-undo-1", 0)

	f := newUndoFixture(t)
	stopped := f.drive(t, "imp-u-undo-1", 2)
	if got := f.job(t).Undo; got.Status != crm.UndoRunning || got.Done != 4 {
		t.Fatalf("job's undo after the stop = %+v, want RUNNING at 4", got)
	}
	// The API's second confirm, which saw the stopped execution end.
	if err := f.jobs.StartUndo(context.Background(), "acme", "imp-u", crm.UndoRun{Status: crm.UndoRunning, Execution: "imp-u-undo-2"}, "imp-u-undo-1"); err != nil {
		t.Fatalf("StartUndo(replacing the stopped run) error %v", err)
	}
	again := f.drive(t, "imp-u-undo-2", 0)
	if again.Deleted != want.Deleted || again.Restored != want.Restored || again.Conflicts != want.Conflicts || again.Done != want.Done {
		t.Errorf("run again = %+v, want the counts of one run %+v", again, want)
	}
	if got, w := f.table(), whole.table(); !maps.Equal(got, w) {
		t.Errorf("records after the run again = %v, want %v", got, w)
	}
	if _, err := f.step.Handle(context.Background(), UndoInput{Action: UndoBatch, State: stopped}); crm.KindOf(err) != crm.Conflict {
		t.Errorf("Handle(batch) of the stopped execution = %v, want Conflict: another run replaced it", err)
	}
	if got := f.job(t).Undo; got.Execution != "imp-u-undo-2" || got.Status != crm.UndoSucceeded {
		t.Errorf("job's undo = %+v, want the second run's, SUCCEEDED", got)
	}
}

// TestUndoWorkflowFailureIsRecorded: a failed run says so in words and
// how to finish it.
func TestUndoWorkflowFailureIsRecorded(t *testing.T) {
	f := newUndoFixture(t)
	s := f.drive(t, "imp-u-undo-1", 1)
	s.Error = &StepError{Error: "InternalError", Cause: `{"errorType":"InternalError","errorMessage":"boom"}`}
	if _, err := f.step.Handle(context.Background(), UndoInput{Action: UndoFail, State: s}); err != nil {
		t.Fatalf("Handle(fail) error %v", err)
	}
	run := f.job(t).Undo
	if want := "the undo stopped on an internal error after 2 of 7 records; nothing is lost: confirm the undo again (crmimport undo imp-u --yes) to finish it"; run.Status != crm.UndoFailed || run.Reason != want {
		t.Errorf("job's undo = %+v, want FAILED %q", run, want)
	}
}
