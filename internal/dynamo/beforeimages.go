package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
			return 0, asFailure(fmt.Errorf("count before-images of %s/%s: %w", tenant, importID, err))
		}
		n += int(page.Count)
	}
	return n, nil
}
