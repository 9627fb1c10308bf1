package dynamo

import (
	"context"
	"fmt"
	"strconv"
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

// CountBeforeImages counts the records an import has started to change: a
// before-image is written, and acknowledged, before its record. When an
// import fails half-way this is what the job can say was touched, even for
// a user whose apply step never finished.
func (r *Records) CountBeforeImages(ctx context.Context, tenant, importID string) (int, error) {
	p := dynamodb.NewQueryPaginator(r.API, &dynamodb.QueryInput{
		TableName:              &r.Table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: ImportPK(tenant, importID)},
			":sk": &types.AttributeValueMemberS{Value: "BEFORE#"},
		},
		Select: types.SelectCount,
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fromSDK(fmt.Errorf("count before-images of %s/%s: %w", tenant, importID, err))
		}
		n += int(page.Count)
	}
	return n, nil
}
