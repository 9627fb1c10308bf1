package dynamo

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const defaultBeforeImageTTL = 90 * 24 * time.Hour

// Write makes the writes apply decided on: first the before-images of all
// of them, acknowledged, then the records, with BatchWriteItem, 25 items a
// call. Undo must never find a change without the image of what it
// replaced; a crash between the two leaves images of changes not made,
// which a retried apply writes again.
//
// A created record's image holds nothing but its ID (there was no record),
// so the creates of one chunk share one image item (createdSK), put with
// one PutItem (added to with one UpdateItem when the chunk is retried):
// 1,000 created rows cost 10 items, not 1,000.
// Updated and deleted records keep an image each, with the old item.
func (r *Records) Write(ctx context.Context, s crm.Scope, writes []crm.Write) error {
	if err := checkScope(s); err != nil {
		return err
	}
	now := r.now()
	ttl := r.BeforeImageTTL
	if ttl <= 0 {
		ttl = defaultBeforeImageTTL
	}
	expires := now.Add(ttl)
	created := createdIDs(s, writes)
	befores := make([]types.WriteRequest, 0, len(writes)-len(created))
	records := make([]types.WriteRequest, 0, len(writes))
	for _, w := range writes {
		old, err := opaque(w)
		if err != nil {
			return err
		}
		if !created[w.ID] {
			befores = append(befores, types.WriteRequest{PutRequest: &types.PutRequest{
				Item: beforeImage(s, w, old, expires),
			}})
		}
		if w.Kind == crm.WriteDelete {
			records = append(records, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: UserPK(s.Tenant, s.User)},
				"sk": &types.AttributeValueMemberS{Value: RecordSK(s.Entity, w.ID)},
			}}})
			continue
		}
		item, err := newItem(s, w, old, now)
		if err != nil {
			return err
		}
		records = append(records, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	if err := r.addCreated(ctx, s, created, expires); err != nil {
		return err
	}
	bw := &BatchWriter{API: r.API, Table: r.Table, Backoff: r.Backoff}
	if err := bw.Write(ctx, befores); err != nil {
		return fmt.Errorf("write before-images: %w", err)
	}
	if err := bw.Write(ctx, records); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	return nil
}

// opaque returns the item w.Before was read from, nil when there was none.
func opaque(w crm.Write) (map[string]types.AttributeValue, error) {
	if w.Before == nil {
		return nil, nil
	}
	item, ok := w.Before.Opaque.(map[string]types.AttributeValue)
	if !ok {
		return nil, crm.Errorf(crm.Internal, "write record %s: the record before was not read by Current", w.ID)
	}
	return item, nil
}

// newItem is the record after w: the old item (so attributes this package
// does not know survive) with fields, version, import and time set.
func newItem(s crm.Scope, w crm.Write, old map[string]types.AttributeValue, now time.Time) (map[string]types.AttributeValue, error) {
	fields := w.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	ours, err := attributevalue.MarshalMap(recordItem{
		PK: UserPK(s.Tenant, s.User), SK: RecordSK(s.Entity, w.ID),
		Entity: s.Entity, ID: w.ID, Fields: fields, Version: w.Version,
		ImportID: s.ImportID, UpdatedAt: now.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return nil, crm.Wrap(err, crm.Internal, "encode record %s", w.ID)
	}
	item := maps.Clone(old)
	if item == nil {
		item = make(map[string]types.AttributeValue, len(ours))
	}
	maps.Copy(item, ours)
	return item, nil
}
