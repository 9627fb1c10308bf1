package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Current reads the scope's records with IDs from lo to hi as they are now,
// with one strongly consistent Query over the sort-key range (more pages
// only past 1 MB). Opaque is the whole item, so that Write keeps the
// attributes this package does not know and the before-image holds the old
// item as it was. An item that does not decode comes back Unreadable.
func (r *Records) Current(ctx context.Context, s crm.Scope, lo, hi string) (map[string]crm.Stored, error) {
	if err := checkScope(s); err != nil {
		return nil, err
	}
	prefix := RecordSK(s.Entity, "")
	found := map[string]crm.Stored{}
	err := r.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: UserPK(s.Tenant, s.User)},
			":lo": &types.AttributeValueMemberS{Value: RecordSK(s.Entity, lo)},
			":hi": &types.AttributeValueMemberS{Value: RecordSK(s.Entity, hi)},
		},
	}, func(item map[string]types.AttributeValue) error {
		sk, ok := item["sk"].(*types.AttributeValueMemberS)
		if !ok {
			return nil
		}
		// The ID is the sort key's, which is how the write will name it.
		id, ok := strings.CutPrefix(sk.Value, prefix)
		if !ok {
			return nil
		}
		var it recordItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			found[id] = crm.Stored{Record: crm.Record{Entity: s.Entity, ID: id}, Opaque: item, Unreadable: true}
			return nil
		}
		found[id] = crm.Stored{Record: it.record(), Opaque: item}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query records %s to %s of user %s: %w", lo, hi, s.User, err)
	}
	return found, nil
}
