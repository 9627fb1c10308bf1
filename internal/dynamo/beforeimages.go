package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// beforeImage is what undo needs to put a record back: the whole old item,
// or the fact that it did not exist; and version_after, the version this
// import leaves (0 after a delete: undo checks the record is still absent),
// so undo can tell whether someone changed it since.
func beforeImage(s crm.Scope, w crm.Write, old map[string]types.AttributeValue, expires time.Time) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"pk":            &types.AttributeValueMemberS{Value: ImportPK(s.Tenant, s.ImportID)},
		"sk":            &types.AttributeValueMemberS{Value: BeforeSK(s.User, s.Entity, w.ID)},
		"import_id":     &types.AttributeValueMemberS{Value: s.ImportID},
		"user":          &types.AttributeValueMemberS{Value: s.User},
		"entity":        &types.AttributeValueMemberS{Value: s.Entity},
		"id":            &types.AttributeValueMemberS{Value: w.ID},
		"op":            &types.AttributeValueMemberS{Value: string(w.Kind)},
		"existed":       &types.AttributeValueMemberBOOL{Value: old != nil},
		"version_after": &types.AttributeValueMemberN{Value: strconv.FormatInt(w.Version, 10)},
		"ttl":           &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
	}
	if w.Row > 0 {
		item["row"] = &types.AttributeValueMemberN{Value: strconv.Itoa(w.Row)}
	}
	if old != nil {
		item["item"] = &types.AttributeValueMemberM{Value: old}
	}
	return item
}

// maxCreatedIDs bounds the IDs one image of creates holds: DynamoDB's
// items are at most 400 KB, a record ID is 26 characters (plan.RecordID),
// so about 15,000 would fit beside the item's other attributes; apply's
// chunk is 100 (about 2.7 KB). A larger chunk keeps an image per record.
const maxCreatedIDs = 10000

// createdSK is the sort key of the image of one chunk's creates: under the
// user and entity, beside the records' own images (so undo meets them in
// the same groups), after the image of the chunk's lowest ID.
func createdSK(user, entity, chunk string) string { return BeforeSK(user, entity, chunk) + "#CREATED" }

// createdIDs are the writes whose images go on the chunk's image of
// creates: records created at version 1 (there is nothing else to keep of
// them). None when the writes name no chunk, or too many to fit.
func createdIDs(s crm.Scope, writes []crm.Write) map[string]bool {
	if s.Chunk == "" || strings.Contains(s.Chunk, "#") {
		return nil
	}
	ids := map[string]bool{}
	for _, w := range writes {
		if w.Kind == crm.WriteCreate && w.Before == nil && w.Version == 1 {
			ids[w.ID] = true
		}
	}
	if len(ids) > maxCreatedIDs {
		return nil
	}
	return ids
}

// addCreated adds ids to the chunk's image of creates, acknowledged. The
// first attempt of a chunk finds no image and puts it whole, with one
// PutItem conditional on its absence; a retried chunk finds the image its
// first attempt put and adds to it with one UpdateItem. ADD, not a put,
// there: a retry writes only what the first attempt did not, so a put
// would lose the IDs of the records that attempt had created; a set holds
// each ID once. Why not always ADD: an UpdateItem's expression costs
// DynamoDB the same write as a put, but moto three times a put's time,
// once per chunk (a third of a chunk's BatchWriteItem time).
func (r *Records) addCreated(ctx context.Context, s crm.Scope, ids map[string]bool, expires time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	set := slices.Sorted(maps.Keys(ids))
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: ImportPK(s.Tenant, s.ImportID)},
		"sk": &types.AttributeValueMemberS{Value: createdSK(s.User, s.Entity, s.Chunk)},
	}
	attrs := map[string]types.AttributeValue{
		"import_id":     &types.AttributeValueMemberS{Value: s.ImportID},
		"user":          &types.AttributeValueMemberS{Value: s.User},
		"entity":        &types.AttributeValueMemberS{Value: s.Entity},
		"op":            &types.AttributeValueMemberS{Value: string(crm.WriteCreate)},
		"existed":       &types.AttributeValueMemberBOOL{Value: false},
		"version_after": &types.AttributeValueMemberN{Value: "1"},
		"ttl":           &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
	}
	item := maps.Clone(key)
	maps.Copy(item, attrs)
	item["ids"] = &types.AttributeValueMemberSS{Value: set}
	_, err := r.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(r.Table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		err = r.addToCreated(ctx, key, attrs, set)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("write the before-image of %d created records: %w", len(set), err))
	}
	return nil
}

// addToCreated adds set to the image of creates at key, which an earlier
// attempt of the chunk put, setting attrs again.
func (r *Records) addToCreated(ctx context.Context, key, attrs map[string]types.AttributeValue, set []string) error {
	names := map[string]string{"#ids": "ids"}
	values := map[string]types.AttributeValue{":ids": &types.AttributeValueMemberSS{Value: set}}
	sets := make([]string, 0, len(attrs))
	for i, name := range slices.Sorted(maps.Keys(attrs)) {
		n, v := "#a"+strconv.Itoa(i), ":a"+strconv.Itoa(i)
		names[n], values[v] = name, attrs[name]
		sets = append(sets, n+" = "+v)
	}
	_, err := r.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(r.Table),
		Key:                       key,
		UpdateExpression:          aws.String("ADD #ids :ids SET " + strings.Join(sets, ", ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return err
}

// CountBeforeImages counts the records an import has started to change: a
// before-image is written, and acknowledged, before its record. When an
// import fails half-way this is what the job can say was touched, even for
// a user whose apply step never finished. An image of creates counts its
// IDs.
func (r *Records) CountBeforeImages(ctx context.Context, tenant, importID string) (int, error) {
	p := dynamodb.NewQueryPaginator(r.API, &dynamodb.QueryInput{
		TableName:              &r.Table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: ImportPK(tenant, importID)},
			":sk": &types.AttributeValueMemberS{Value: "BEFORE#"},
		},
		// The keys and the created IDs only, never the old items.
		ProjectionExpression:     aws.String("sk, #ids"),
		ExpressionAttributeNames: map[string]string{"#ids": "ids"},
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fromSDK(fmt.Errorf("count before-images of %s/%s: %w", tenant, importID, err))
		}
		for _, item := range page.Items {
			if ids, ok := item["ids"].(*types.AttributeValueMemberSS); ok {
				n += len(ids.Value)
			} else {
				n++
			}
		}
	}
	return n, nil
}
