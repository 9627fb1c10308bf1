package crmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

// Execution is a workflow execution a Workflow started.
type Execution struct {
	Name  string
	Input json.RawMessage // as Step Functions would receive it
}

// Workflow is an in-memory crm.Workflow. Execution names are unique, as
// they are per state machine: a second Start under a name reports false
// and starts nothing.
type Workflow struct {
	Faults
	mu         sync.Mutex
	executions []Execution
}

var _ crm.Workflow = (*Workflow)(nil)

// NewWorkflow returns a workflow that has started nothing.
func NewWorkflow() *Workflow { return &Workflow{} }

func (w *Workflow) Start(_ context.Context, name string, input any) (bool, error) {
	if err := w.call("Start"); err != nil {
		return false, err
	}
	body, err := json.Marshal(input)
	if err != nil {
		return false, fmt.Errorf("marshal input of %s: %w", name, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.executions {
		if e.Name == name {
			return false, nil
		}
	}
	w.executions = append(w.executions, Execution{Name: name, Input: body})
	return true, nil
}

// Executions returns the executions started, in order.
func (w *Workflow) Executions() []Execution {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Execution(nil), w.executions...)
}
