package dynamo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

const (
	defaultChunkSize      = 100
	defaultBeforeImageTTL = 90 * 24 * time.Hour
)

// ApplyInput is one user's plan to carry out.
type ApplyInput struct {
	Tenant   string
	User     string
	Entity   string
	ImportID string
	// Ops streams the plan, in the order plan.Build gives (by record ID).
	// Any order works; sorted ops make each re-check Query narrow.
	Ops plan.Source
	// Total is the number of ops, for progress (plan.Summary.Total()).
	Total int
	// Progress, if set, is called after each chunk with the ops done.
	Progress func(done, total int)
	// Outcome, if set, receives the outcome of every op, in plan order.
	Outcome func(outcome.Row) error
}

// ApplyResult counts the outcomes of a plan's ops. AlreadyApplied tells how
// many of the created, updated and deleted an earlier, interrupted attempt
// of the same import had already written.
type ApplyResult struct {
	Created        int `json:"created"`
	Updated        int `json:"updated"`
	Deleted        int `json:"deleted"`
	Unchanged      int `json:"unchanged"`
	Skipped        int `json:"skipped"`
	Errors         int `json:"errors"`
	Conflicts      int `json:"conflicts"`
	AlreadyApplied int `json:"already_applied"`
}

// Apply writes a user's plan into the table.
//
// How it stays correct when Lambdas fail and people edit records meanwhile:
//
//   - The writing ops are taken in chunks. Just before writing a chunk, one
//     strongly consistent Query over the chunk's sort-key range reads the
//     records as they are now. An op whose record still has the version the
//     plan saw is written, with version+1 and import_id set. A record that
//     already carries this import's ID and version+1 was written by an
//     earlier attempt: nothing more is done (idempotence). Anything else was
//     changed since the preview and is reported as a conflict, not written.
//   - Before-images of the chunk (the whole old item, or "did not exist")
//     are written and acknowledged before the records themselves.
//   - Writes go through BatchWriteItem, 25 items a call.
//
// Why BatchWriteItem after a Query and not conditional writes: BatchWriteItem
// takes no conditions, and the conditional alternatives cost more for every
// row (TransactWriteItems: twice the write units, 100 items a call; PutItem
// with a condition: one call per row). The plan-to-apply window, where a
// tenant waits on a preview for minutes or hours, is what the re-check
// covers; what remains is the time between a chunk's Query and its writes
// (a few calls, well under a second), and such a late change is still seen
// by undo, which compares a record's version with the before-image's
// version_after before touching it.
func (r *Records) Apply(ctx context.Context, in ApplyInput) (ApplyResult, error) {
	var res ApplyResult
	for _, n := range [][2]string{{"tenant", in.Tenant}, {"user", in.User}, {"entity", in.Entity}, {"import", in.ImportID}} {
		if err := checkName(n[0], n[1]); err != nil {
			return res, err
		}
	}
	size := r.ChunkSize
	if size <= 0 {
		size = defaultChunkSize
	}
	a := &applier{r: r, in: in, res: &res}
	var chunk []plan.Op
	for {
		op, err := in.Ops.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, &PermanentError{Err: fmt.Errorf("apply %s: %w", in.User, err)}
		}
		if !op.Writes() {
			if err := a.report(op, "", ""); err != nil {
				return res, err
			}
			continue
		}
		chunk = append(chunk, op)
		if len(chunk) == size {
			if err := a.chunk(ctx, chunk); err != nil {
				return res, err
			}
			chunk = chunk[:0]
		}
	}
	if err := a.chunk(ctx, chunk); err != nil {
		return res, err
	}
	if in.Progress != nil {
		in.Progress(a.done, in.Total)
	}
	return res, nil
}

type applier struct {
	r    *Records
	in   ApplyInput
	res  *ApplyResult
	done int
}

// state of one op's record, found by the re-check.
type state int

const (
	toWrite state = iota
	alreadyApplied
	conflict
)

func (a *applier) chunk(ctx context.Context, ops []plan.Op) error {
	if len(ops) == 0 {
		return nil
	}
	current, err := a.current(ctx, ops)
	if err != nil {
		return fmt.Errorf("apply %s: re-check records: %w", a.in.User, err)
	}
	now := a.r.now()
	ttl := a.r.BeforeImageTTL
	if ttl <= 0 {
		ttl = defaultBeforeImageTTL
	}
	states := make([]state, len(ops))
	reasons := make([]string, len(ops))
	var befores, writes []types.WriteRequest
	for i, op := range ops {
		sk := RecordSK(a.in.Entity, op.ID)
		cur, exists := current[sk]
		states[i], reasons[i] = a.check(op, cur, exists)
		if states[i] != toWrite {
			continue
		}
		befores = append(befores, types.WriteRequest{PutRequest: &types.PutRequest{
			Item: a.beforeImage(op, cur, exists, now.Add(ttl)),
		}})
		if op.Kind == plan.OpDelete {
			writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: UserPK(a.in.Tenant, a.in.User)},
				"sk": &types.AttributeValueMemberS{Value: sk},
			}}})
			continue
		}
		item, err := a.newItem(op, cur, now)
		if err != nil {
			return err
		}
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	w := &BatchWriter{API: a.r.API, Table: a.r.Table, Backoff: a.r.Backoff}
	// Undo must never find a change without the image of what it replaced.
	if err := w.Write(ctx, befores); err != nil {
		return fmt.Errorf("apply %s: write before-images: %w", a.in.User, err)
	}
	if err := w.Write(ctx, writes); err != nil {
		return fmt.Errorf("apply %s: write records: %w", a.in.User, err)
	}
	for i, op := range ops {
		var status outcome.Status
		switch states[i] {
		case alreadyApplied:
			a.res.AlreadyApplied++
		case conflict:
			status = outcome.Conflict
		}
		if err := a.report(op, status, reasons[i]); err != nil {
			return err
		}
	}
	if a.in.Progress != nil {
		a.in.Progress(a.done, a.in.Total)
	}
	return nil
}

// current reads the records of the chunk's sort-key range as they are now.
func (a *applier) current(ctx context.Context, ops []plan.Op) (map[string]map[string]types.AttributeValue, error) {
	lo, hi := ops[0].ID, ops[0].ID
	for _, op := range ops[1:] {
		lo, hi = min(lo, op.ID), max(hi, op.ID)
	}
	want := make(map[string]bool, len(ops))
	for _, op := range ops {
		sk := RecordSK(a.in.Entity, op.ID)
		if op.ID == "" || want[sk] {
			// One BatchWriteItem cannot hold a key twice, and a plan that
			// names a record twice cannot be applied in a defined order.
			return nil, &PermanentError{Err: fmt.Errorf("the plan writes record %q twice or without an ID (row %d)", op.ID, op.Row)}
		}
		want[sk] = true
	}
	found := make(map[string]map[string]types.AttributeValue, len(ops))
	err := a.r.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: UserPK(a.in.Tenant, a.in.User)},
			":lo": &types.AttributeValueMemberS{Value: RecordSK(a.in.Entity, lo)},
			":hi": &types.AttributeValueMemberS{Value: RecordSK(a.in.Entity, hi)},
		},
	}, func(item map[string]types.AttributeValue) error {
		if sk, ok := item["sk"].(*types.AttributeValueMemberS); ok && want[sk.Value] {
			found[sk.Value] = item
		}
		return nil
	})
	return found, err
}

// check decides what to do with op given the record as it is now.
func (a *applier) check(op plan.Op, cur map[string]types.AttributeValue, exists bool) (state, string) {
	var it recordItem
	if exists {
		// A record that does not decode has no usable version: a conflict.
		if err := attributevalue.UnmarshalMap(cur, &it); err != nil {
			return conflict, "the stored record cannot be read, so it was not changed"
		}
	}
	byUs := exists && it.ImportID == a.in.ImportID && it.Version == op.Version+1
	switch op.Kind {
	case plan.OpCreate:
		switch {
		case !exists:
			return toWrite, ""
		case byUs:
			return alreadyApplied, ""
		}
		return conflict, fmt.Sprintf("a record with ID %s already exists (version %d), so it was not created", op.ID, it.Version)
	case plan.OpDelete:
		switch {
		case !exists:
			// Deleted by an earlier attempt, or by someone else: gone either way.
			return alreadyApplied, ""
		case it.Version == op.Version:
			return toWrite, ""
		}
		return conflict, changedSince(op, it) + ", so it was not deleted"
	default:
		switch {
		case !exists:
			return conflict, fmt.Sprintf("record %s was deleted after the preview, so it was not updated", op.ID)
		case byUs:
			return alreadyApplied, ""
		case it.Version == op.Version:
			return toWrite, ""
		}
		return conflict, changedSince(op, it) + ", so it was not updated"
	}
}

func changedSince(op plan.Op, it recordItem) string {
	by := "someone"
	if it.ImportID != "" {
		by = "import " + it.ImportID
	}
	return fmt.Sprintf("record %s was changed by %s after the preview (version %d, now %d)", op.ID, by, op.Version, it.Version)
}

// newItem is the record after op: the current item (so attributes this
// package does not know survive) with fields, version, import and time set.
func (a *applier) newItem(op plan.Op, cur map[string]types.AttributeValue, now time.Time) (map[string]types.AttributeValue, error) {
	fields := op.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	ours, err := attributevalue.MarshalMap(recordItem{
		PK: UserPK(a.in.Tenant, a.in.User), SK: RecordSK(a.in.Entity, op.ID),
		Entity: a.in.Entity, ID: op.ID, Fields: fields, Version: op.Version + 1,
		ImportID: a.in.ImportID, UpdatedAt: now.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, &PermanentError{Err: fmt.Errorf("encode record %s: %w", op.ID, err)}
	}
	item := maps.Clone(cur)
	if item == nil {
		item = make(map[string]types.AttributeValue, len(ours))
	}
	maps.Copy(item, ours)
	return item, nil
}

// beforeImage is what undo needs to put a record back: the whole old item,
// or the fact that it did not exist; and version_after, the version this
// import leaves, so undo can tell whether someone changed it since.
func (a *applier) beforeImage(op plan.Op, cur map[string]types.AttributeValue, exists bool, expires time.Time) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk":            &types.AttributeValueMemberS{Value: ImportPK(a.in.Tenant, a.in.ImportID)},
		"sk":            &types.AttributeValueMemberS{Value: BeforeSK(a.in.User, a.in.Entity, op.ID)},
		"import_id":     &types.AttributeValueMemberS{Value: a.in.ImportID},
		"user":          &types.AttributeValueMemberS{Value: a.in.User},
		"entity":        &types.AttributeValueMemberS{Value: a.in.Entity},
		"id":            &types.AttributeValueMemberS{Value: op.ID},
		"op":            &types.AttributeValueMemberS{Value: string(op.Kind)},
		"existed":       &types.AttributeValueMemberBOOL{Value: exists},
		"version_after": &types.AttributeValueMemberN{Value: strconv.FormatInt(op.Version+1, 10)},
		"ttl":           &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
	}
	if op.Kind == plan.OpDelete {
		// A deleted record has no version after; undo checks it is still absent.
		item["version_after"] = &types.AttributeValueMemberN{Value: "0"}
	}
	if op.Row > 0 {
		item["row"] = &types.AttributeValueMemberN{Value: strconv.Itoa(op.Row)}
	}
	if exists {
		item["item"] = &types.AttributeValueMemberM{Value: cur}
	}
	return item
}

// report sends op's outcome (status "" means as planned) and counts it.
func (a *applier) report(op plan.Op, status outcome.Status, reason string) error {
	a.done++
	row := outcome.FromOp(a.in.User, a.in.Entity, op)
	if status != "" {
		row.Status, row.Reason, row.Changes = status, reason, nil
	}
	switch row.Status {
	case outcome.Created:
		a.res.Created++
	case outcome.Updated:
		a.res.Updated++
	case outcome.Deleted:
		a.res.Deleted++
	case outcome.Unchanged:
		a.res.Unchanged++
	case outcome.Skipped:
		a.res.Skipped++
	case outcome.Error:
		a.res.Errors++
	case outcome.Conflict:
		a.res.Conflicts++
	}
	if a.in.Outcome == nil {
		return nil
	}
	if err := a.in.Outcome(row); err != nil {
		return &PermanentError{Err: fmt.Errorf("apply %s: report row %d: %w", a.in.User, op.Row, err)}
	}
	return nil
}
