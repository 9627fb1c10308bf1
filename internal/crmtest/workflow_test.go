package crmtest

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestWorkflowStartsOneExecutionPerName(t *testing.T) {
	ctx := context.Background()
	wf := NewWorkflow()
	busy := crm.Errorf(crm.Unavailable, "step functions is busy")
	wf.FailCall("Start", 3, busy)
	tests := []struct {
		name        string
		execution   string
		wantStarted bool
		wantErr     error
	}{
		{"a new name starts", "imp-1", true, nil},
		{"the same name again does not", "imp-1", false, nil},
		{"an injected failure starts nothing", "imp-2", false, busy},
		{"another name starts", "imp-2", true, nil},
	}
	for _, tt := range tests {
		started, err := wf.Start(ctx, tt.execution, map[string]string{"importId": tt.execution})
		if started != tt.wantStarted || err != tt.wantErr {
			t.Errorf("%s: Start(%s) = %v, %v, want %v, %v", tt.name, tt.execution, started, err, tt.wantStarted, tt.wantErr)
		}
	}
	if n := len(wf.Starts()); n != len(tests) {
		t.Errorf("len(Starts()) = %d, want every call (%d)", n, len(tests))
	}
	got := wf.Executions()
	if len(got) != 2 || got[0].Name != "imp-1" || string(got[0].Input) != `{"importId":"imp-1"}` || got[1].Name != "imp-2" {
		t.Errorf("Executions() = %+v, want imp-1 then imp-2 with their input as JSON", got)
	}
}

func TestWorkflowStatusRunsUntilSet(t *testing.T) {
	ctx := context.Background()
	wf := NewWorkflow()
	if _, err := wf.Start(ctx, "imp-1", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Start(ctx, "imp-2", nil); err != nil {
		t.Fatal(err)
	}
	wf.SetStatus("imp-2", crm.ExecutionAborted)
	tests := []struct {
		name       string
		execution  string
		wantStatus crm.ExecutionStatus
		wantKind   crm.Kind
	}{
		{"a started execution runs", "imp-1", crm.ExecutionRunning, ""},
		{"an ended one has the status it was given", "imp-2", crm.ExecutionAborted, ""},
		{"a name never started is not found", "imp-3", "", crm.NotFound},
	}
	for _, tt := range tests {
		got, err := wf.Status(ctx, tt.execution)
		if got != tt.wantStatus || crm.KindOf(err) != tt.wantKind {
			t.Errorf("%s: Status(%s) = %q, %v, want %q, kind %q", tt.name, tt.execution, got, err, tt.wantStatus, tt.wantKind)
		}
	}
}
