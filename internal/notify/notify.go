// Package notify announces import events on Amazon EventBridge, where
// operators route them to e-mail, chat or their own systems.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/crmimport/crm-import/internal/crm"
)

// Source is the source of every event the pipeline sends.
const Source = "crm-import"

var _ crm.Notifier = (*Bus)(nil)

// Client is the part of the EventBridge API the notifier uses.
type Client interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus sends events to one event bus.
type Bus struct {
	client Client
	name   string
}

// New returns a notifier for the named bus ("" = the default bus).
func New(client Client, name string) *Bus {
	if name == "" {
		name = "default"
	}
	return &Bus{client: client, name: name}
}

// Send puts one event whose detail is detail marshalled as JSON.
func (b *Bus) Send(ctx context.Context, detailType string, detail any) error {
	data, err := json.Marshal(detail)
	if err != nil {
		return crm.Wrap(err, crm.Internal, "marshal %s event", detailType)
	}
	out, err := b.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: &b.name,
		Source:       aws.String(Source),
		DetailType:   &detailType,
		Detail:       aws.String(string(data)),
	}}})
	if err != nil {
		return asFailure(fmt.Errorf("put %s event: %w", detailType, err))
	}
	if out.FailedEntryCount > 0 {
		return crm.Wrap(fmt.Errorf("put %s event: %s: %s", detailType, aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage)),
			crm.Unavailable, "the event bus is busy")
	}
	return nil
}

// asFailure turns an EventBridge error into the domain's kinds.
func asFailure(err error) error {
	if errors.Is(err, context.DeadlineExceeded) ||
		retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return crm.Wrap(err, crm.Unavailable, "the event bus is busy")
	}
	return crm.Wrap(err, crm.Internal, "the event bus refused a request")
}
