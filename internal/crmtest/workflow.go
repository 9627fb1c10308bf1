package crmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

// Start is one call of Workflow.Start.
type Start struct {
	Name    string
	Input   json.RawMessage // as Step Functions would receive it
	Started bool            // false for a name already taken or a failed call
}

// Workflow is an in-memory crm.Workflow. Execution names are unique, as
// they are per state machine: a second Start under a name reports false
// and starts nothing. An execution runs until a test ends it with
// SetStatus.
type Workflow struct {
	Faults
	mu     sync.Mutex
	starts []Start
	ended  map[string]crm.ExecutionStatus
	// closed are the task tokens answered or ended; answers what
	// SendTaskSuccess delivered.
	closed  map[string]bool
	answers []TaskSuccess
}

var _ crm.Workflow = (*Workflow)(nil)

// NewWorkflow returns a workflow that has started nothing.
func NewWorkflow() *Workflow { return &Workflow{} }

func (w *Workflow) Start(_ context.Context, name string, input any) (bool, error) {
	body, err := json.Marshal(input)
	if err != nil {
		return false, fmt.Errorf("marshal input of %s: %w", name, err)
	}
	// A call that fails is recorded too: a test of a retry wants to see
	// what was attempted.
	fail := w.call("Start")
	w.mu.Lock()
	defer w.mu.Unlock()
	start := Start{Name: name, Input: body, Started: fail == nil && !w.exists(name)}
	w.starts = append(w.starts, start)
	return start.Started, fail
}

func (w *Workflow) exists(name string) bool {
	for _, s := range w.starts {
		if s.Started && s.Name == name {
			return true
		}
	}
	return false
}

// Starts returns every call of Start, in order.
func (w *Workflow) Starts() []Start {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Start(nil), w.starts...)
}

// Executions returns the calls that started an execution, in order.
func (w *Workflow) Executions() []Start {
	var started []Start
	for _, s := range w.Starts() {
		if s.Started {
			started = append(started, s)
		}
	}
	return started
}

// Status returns RUNNING for an execution started and not ended by
// SetStatus, the status SetStatus gave it, and NotFound for a name never
// started.
func (w *Workflow) Status(_ context.Context, name string) (crm.ExecutionStatus, error) {
	if err := w.call("Status"); err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.exists(name) {
		return "", crm.Errorf(crm.NotFound, "import %s has no workflow execution", name)
	}
	if st, ok := w.ended[name]; ok {
		return st, nil
	}
	return crm.ExecutionRunning, nil
}

// SetStatus makes the execution named name stand at status, as Step
// Functions does when it ends (SUCCEEDED, FAILED, TIMED_OUT, ABORTED).
func (w *Workflow) SetStatus(name string, status crm.ExecutionStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ended == nil {
		w.ended = map[string]crm.ExecutionStatus{}
	}
	w.ended[name] = status
}

// TaskSuccess is one answer SendTaskSuccess delivered.
type TaskSuccess struct {
	Token  string
	Output json.RawMessage
}

// SendTaskSuccess completes the wait of token, once: a token answered
// already, or ended by EndTask, is a Conflict, as Step Functions'
// TaskTimedOut and TaskDoesNotExist are at the adapter.
func (w *Workflow) SendTaskSuccess(_ context.Context, token string, output any) error {
	if err := w.call("SendTaskSuccess"); err != nil {
		return err
	}
	body, err := json.Marshal(output)
	if err != nil {
		return fmt.Errorf("marshal task output: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed[token] {
		return crm.Errorf(crm.Conflict, "%s", crm.WaitEnded)
	}
	if w.closed == nil {
		w.closed = map[string]bool{}
	}
	w.closed[token] = true
	w.answers = append(w.answers, TaskSuccess{Token: token, Output: body})
	return nil
}

// EndTask ends the wait of token as a timeout would.
func (w *Workflow) EndTask(token string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed == nil {
		w.closed = map[string]bool{}
	}
	w.closed[token] = true
}

// Answers returns the answers SendTaskSuccess delivered, in order.
func (w *Workflow) Answers() []TaskSuccess {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]TaskSuccess(nil), w.answers...)
}
