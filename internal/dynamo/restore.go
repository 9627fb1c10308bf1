package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// EachRecord queries a user's partition (every entity) page by page,
// strongly consistent, and hands each page to each: a restore compares a
// user's records with a restore point without holding them all. An item
// that does not decode comes back Unreadable, as Current answers it.
func (r *Records) EachRecord(ctx context.Context, tenant, user string, each func([]crm.Stored) error) error {
	for _, n := range [][2]string{{"tenant", tenant}, {"user", user}} {
		if err := checkName(n[0], n[1]); err != nil {
			return err
		}
	}
	in := &dynamodb.QueryInput{
		TableName:              aws.String(r.Table),
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: UserPK(tenant, user)},
		},
	}
	if r.PageLimit > 0 {
		in.Limit = aws.Int32(r.PageLimit)
	}
	p := dynamodb.NewQueryPaginator(r.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fromSDK(fmt.Errorf("query records of user %s: %w", user, err))
		}
		out := make([]crm.Stored, 0, len(page.Items))
		for _, item := range page.Items {
			rec, err := DecodeRecord(item)
			if err != nil {
				out = append(out, crm.Stored{Record: rec, Opaque: item, Unreadable: true})
				continue
			}
			out = append(out, crm.Stored{Record: rec, Opaque: item})
		}
		if len(out) > 0 {
			if err := each(out); err != nil {
				return err
			}
		}
	}
	return nil
}

// DecodeRecord decodes a record item, as Query and Current read them (an
// export's items too). On an error the record has at least its entity and
// ID, from the sort key.
func DecodeRecord(item map[string]types.AttributeValue) (crm.Record, error) {
	var rec crm.Record
	if sk, ok := item["sk"].(*types.AttributeValueMemberS); ok {
		entity, id, _ := strings.Cut(sk.Value, "#")
		rec = crm.Record{Entity: strings.ToLower(entity), ID: id}
	}
	var it recordItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return rec, crm.Wrap(err, crm.Internal, "decode record %s", rec.ID)
	}
	return it.record(), nil
}
