package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/crm"
)

// One user's plan may take longer to write than one Lambda invocation may
// run (500,000 rows and their before-images are ~10 minutes of one
// partition's write throughput on DynamoDB, against a 15-minute limit). So
// the apply step stops after a chunk, before its time runs out or after
// MaxOps ops, and returns the plan again with an ApplyResume: the workflow
// invokes it again on that (a Choice on "resume"), and the next invocation
// skips the ops done and goes on. Each invocation but the last writes the
// outcomes of its ops as a part of the row log; the last writes the row log
// whole, the parts first, so it is byte for byte what one invocation would
// have written, and the result once.

// ApplyResume is where the next apply invocation of a user goes on: small
// whatever the plan's size (no rows, no ops).
type ApplyResume struct {
	// Done counts the plan's ops carried out and reported by the earlier
	// invocations, in plan order: the next skips that many lines.
	Done int `json:"done"`
	// Parts counts the row-log parts they wrote (outcomesPart 0..Parts-1).
	Parts int `json:"parts"`
	// Counts add up their outcomes.
	Counts apply.Result `json:"counts"`
	// Linked are the records created to link to, by entity, written by the
	// first invocation before any op of the plan.
	Linked map[string]int `json:"linked,omitempty"`
}

// next is the resume after an invocation that began at c (nil at the
// plan's start), carried out done ops and stopped with r.
func (c *ApplyResume) next(done int, r apply.Result, linked map[string]int) *ApplyResume {
	n := &ApplyResume{Done: done, Linked: maps.Clone(linked)}
	if c != nil {
		n.Done += c.Done
		n.Parts, n.Counts = c.Parts, c.Counts
	}
	n.Counts = n.Counts.Add(r)
	n.Parts++
	return n
}

// done is how many ops of the plan the earlier invocations carried out.
func (c *ApplyResume) done() int {
	if c == nil {
		return 0
	}
	return c.Done
}

// ApplyStep is the output of one apply invocation: the user's result once
// the whole plan is applied, otherwise the plan to invoke it again on, its
// Resume set. The workflow tells them apart by "resume".
type ApplyStep struct {
	Result crm.UserResult
	Next   *UserPlan
}

// MarshalJSON writes the result, or the next input.
func (s ApplyStep) MarshalJSON() ([]byte, error) {
	if s.Next != nil {
		return json.Marshal(s.Next)
	}
	return json.Marshal(s.Result)
}

// outcomesPart is the row-log part of one invocation that stopped.
func outcomesPart(w crm.Work, user string, part int) string {
	return fmt.Sprintf("%s.part-%05d", w.Outcomes(user), part)
}

// copyParts writes the row-log parts of the earlier invocations to w, in
// their order.
func (a *Apply) copyParts(ctx context.Context, p UserPlan, w io.Writer) error {
	if p.Resume == nil {
		return nil
	}
	for part := range p.Resume.Parts {
		key := outcomesPart(p.work(), p.User.ID, part)
		body, err := openWork(ctx, a.Files, key)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, body)
		body.Close()
		if err != nil {
			return crm.Wrap(err, crm.Unavailable, "read %s", key)
		}
	}
	return nil
}

// DefaultApplyMargin is the time an apply invocation leaves itself after
// its last chunk, to upload the row log and answer: at most this, and a
// quarter of the time it was given when that is less.
const DefaultApplyMargin = 2 * time.Minute

// stopper says when an invocation stops: after MaxOps ops (0: no bound),
// or once its deadline is nearer than the margin. at receives the ops done
// when it says stop.
func (a *Apply) stopper(ctx context.Context, at *int) func(done int) bool {
	deadline, hasDeadline := ctx.Deadline()
	margin := a.Margin
	if margin <= 0 {
		margin = DefaultApplyMargin
	}
	if hasDeadline {
		margin = min(margin, time.Until(deadline)/4)
	}
	return func(done int) bool {
		*at = done
		return (a.MaxOps > 0 && done >= a.MaxOps) || (hasDeadline && time.Until(deadline) < margin)
	}
}
