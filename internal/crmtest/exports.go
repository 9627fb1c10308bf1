package crmtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Exports is an in-memory crm.Exports. An export stays IN_PROGRESS for
// the first Pending calls of Status, then is COMPLETED, or FAILED with
// Failure when it is set.
type Exports struct {
	Faults
	mu      sync.Mutex
	Pending int
	Failure string
	// Now is the clock of the exports' times; time.Now when nil.
	Now     func() time.Time
	exports map[string]*export
	order   []string
}

type export struct {
	prefix string
	polls  int
}

var _ crm.Exports = (*Exports)(nil)

// NewExports returns exports that complete at once.
func NewExports() *Exports { return &Exports{} }

func (e *Exports) Export(_ context.Context, prefix string) (string, time.Time, error) {
	if err := e.call("Export"); err != nil {
		return "", time.Time{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.exports == nil {
		e.exports = map[string]*export{}
	}
	arn := fmt.Sprintf("arn:aws:dynamodb:eu-central-1:000000000000:table/crm/export/%d", len(e.order)+1)
	e.exports[arn] = &export{prefix: prefix}
	e.order = append(e.order, arn)
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	return arn, now().UTC(), nil
}

func (e *Exports) Status(_ context.Context, arn string) (crm.ExportStatus, error) {
	if err := e.call("Status"); err != nil {
		return crm.ExportStatus{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.exports[arn]
	if !ok {
		return crm.ExportStatus{}, crm.Errorf(crm.NotFound, "the restore point does not exist")
	}
	x.polls++
	switch {
	case x.polls <= e.Pending:
		return crm.ExportStatus{State: crm.ExportInProgress}, nil
	case e.Failure != "":
		return crm.ExportStatus{State: crm.ExportFailed, Failure: e.Failure}, nil
	}
	return crm.ExportStatus{State: crm.ExportCompleted}, nil
}

// Prefixes are the prefixes of the exports started, in order.
func (e *Exports) Prefixes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var p []string
	for _, arn := range e.order {
		p = append(p, e.exports[arn].prefix)
	}
	return p
}
