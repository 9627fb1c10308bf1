package dynamo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxBatch is the most items one BatchWriteItem call takes.
const MaxBatch = 25

// Backoff bounds retries of throttled or unprocessed writes: exponential
// with full jitter (a random wait between 0 and Base*2^attempt, capped at
// Max), as AWS advises so that retrying Lambdas do not throttle in step.
type Backoff struct {
	Base     time.Duration // first ceiling; default 50ms
	Max      time.Duration // ceiling of one wait; default 5s
	Attempts int           // calls per batch before giving up; default 10
}

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = 50 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 5 * time.Second
	}
	if b.Attempts <= 0 {
		b.Attempts = 10
	}
	return b
}

// wait sleeps before retry number attempt (1-based), or returns early when
// ctx ends.
func (b Backoff) wait(ctx context.Context, attempt int) error {
	ceiling := b.Base << min(attempt-1, 30)
	if ceiling <= 0 || ceiling > b.Max {
		ceiling = b.Max
	}
	// A context that has ended stops the retries at once: a select on a
	// timer that is also ready would pick either at random.
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(rand.N(ceiling + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// BatchWriter writes items with BatchWriteItem, 25 at a time, retrying
// unprocessed items and throttling errors.
type BatchWriter struct {
	API     API
	Table   string
	Backoff Backoff
}

// Write writes all requests. Throttling and items still unprocessed after
// the bounded retries are crm.Unavailable; a request DynamoDB refuses is
// crm.Internal.
func (w *BatchWriter) Write(ctx context.Context, reqs []types.WriteRequest) error {
	for start := 0; start < len(reqs); start += MaxBatch {
		if err := w.writeBatch(ctx, reqs[start:min(start+MaxBatch, len(reqs))]); err != nil {
			return fromSDK(fmt.Errorf("batch write to %s: %w", w.Table, err))
		}
	}
	return nil
}

func (w *BatchWriter) writeBatch(ctx context.Context, pending []types.WriteRequest) error {
	b := w.Backoff.withDefaults()
	for attempt := 1; ; attempt++ {
		out, err := w.API.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{w.Table: pending},
		})
		switch {
		case err != nil && !isTransient(err):
			return err
		case err != nil && attempt >= b.Attempts:
			return fmt.Errorf("%d attempts: %w", attempt, err)
		case err == nil:
			pending = out.UnprocessedItems[w.Table]
			if len(pending) == 0 {
				return nil
			}
			if attempt >= b.Attempts {
				return &UnprocessedError{Items: len(pending), Attempts: attempt}
			}
		}
		if err := b.wait(ctx, attempt); err != nil {
			return err
		}
	}
}
