package crmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

// Event is an event a Notifier was given.
type Event struct {
	DetailType string
	Detail     json.RawMessage // as EventBridge would carry it
}

// Notifier is an in-memory crm.Notifier that records the events sent.
type Notifier struct {
	Faults
	mu     sync.Mutex
	events []Event
}

var _ crm.Notifier = (*Notifier)(nil)

// NewNotifier returns a notifier that has sent nothing.
func NewNotifier() *Notifier { return &Notifier{} }

func (n *Notifier) Send(_ context.Context, detailType string, detail any) error {
	if err := n.call("Send"); err != nil {
		return err
	}
	data, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("marshal %s event: %w", detailType, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, Event{DetailType: detailType, Detail: data})
	return nil
}

// Events returns the events sent, in order.
func (n *Notifier) Events() []Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Event(nil), n.events...)
}
