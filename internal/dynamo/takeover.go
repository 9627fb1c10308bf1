package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// TakeOver gives an UPLOADING job the upload that arrived for its key, in
// one conditional UpdateItem: the job must still be UPLOADING, for that
// key. When it is not, a job that took this very version already is true
// (S3 delivers an event at least once, and the trigger may have failed
// between the take-over and the start), left as it is: its import may be
// well under way.
func (s *Jobs) TakeOver(ctx context.Context, tenant, id string, obj crm.Object) (bool, error) {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      jobKey(tenant, id),
		UpdateExpression:         aws.String("SET #status = :received, version = :version, etag = :etag, updated_at = :now"),
		ConditionExpression:      aws.String("#status = :uploading AND #key = :key"),
		ExpressionAttributeNames: map[string]string{"#status": "status", "#key": "key"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":received":  &types.AttributeValueMemberS{Value: string(crm.Received)},
			":uploading": &types.AttributeValueMemberS{Value: string(crm.Uploading)},
			":key":       &types.AttributeValueMemberS{Value: obj.Key},
			":version":   &types.AttributeValueMemberS{Value: obj.Version},
			":etag":      &types.AttributeValueMemberS{Value: obj.ETag},
			":now":       &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339Nano)},
		},
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		j, err := s.Get(ctx, tenant, id)
		if err != nil {
			return false, err
		}
		return j.Key == obj.Key && j.Version == obj.Version && j.ETag == obj.ETag, nil
	}
	if err != nil {
		return false, fromSDK(fmt.Errorf("take over job %s/%s: %w", tenant, id, err))
	}
	return true, nil
}
