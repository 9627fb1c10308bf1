package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// waitItem is a crm.Wait as stored on its job.
type waitItem struct {
	For       string    `dynamodbav:"for"`
	UserID    string    `dynamodbav:"user_id,omitempty"`
	UserEmail string    `dynamodbav:"user_email,omitempty"`
	UserRows  int       `dynamodbav:"user_rows,omitempty"`
	Token     string    `dynamodbav:"token"`
	Since     time.Time `dynamodbav:"since"`
	Expires   time.Time `dynamodbav:"expires"`
}

func newWaitItem(w *crm.Wait) *waitItem {
	if w == nil {
		return nil
	}
	it := &waitItem{For: string(w.For), Token: w.Token, Since: w.Since, Expires: w.Expires}
	if w.User != nil {
		it.UserID, it.UserEmail, it.UserRows = w.User.ID, w.User.Email, w.User.Rows
	}
	return it
}

func (it *waitItem) wait() *crm.Wait {
	if it == nil {
		return nil
	}
	w := &crm.Wait{For: crm.WaitFor(it.For), Token: it.Token, Since: it.Since, Expires: it.Expires}
	if it.UserID != "" {
		w.User = &crm.UserRef{ID: it.UserID, Email: it.UserEmail, Rows: it.UserRows}
	}
	return w
}

// SetWait marks the job WAITING with w, unless it has ended.
func (s *Jobs) SetWait(ctx context.Context, tenant, id string, w crm.Wait) error {
	v, err := attributevalue.Marshal(newWaitItem(&w))
	if err != nil {
		return fmt.Errorf("marshal wait of %s: %w", id, err)
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      jobKey(tenant, id),
		UpdateExpression:         aws.String("SET wizard_wait = :wait, #status = :waiting, updated_at = :now"),
		ExpressionAttributeNames: map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":wait":    v,
			":waiting": &types.AttributeValueMemberS{Value: string(crm.Waiting)},
			":now":     &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339Nano)},
		},
	}
	return s.updateOpen(ctx, in, tenant, id, "set wait of job")
}

// TakeWait removes the job's wait for f in one conditional write, so that
// of two answers sent at once exactly one gets the token.
func (s *Jobs) TakeWait(ctx context.Context, tenant, id string, f crm.WaitFor, next crm.Status) (crm.Wait, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 jobKey(tenant, id),
		UpdateExpression:    aws.String("SET #status = :next, updated_at = :now REMOVE wizard_wait"),
		ConditionExpression: aws.String("#status = :waiting AND wizard_wait.#for = :for"),
		ExpressionAttributeNames: map[string]string{
			"#status": "status",
			"#for":    "for",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":next":    &types.AttributeValueMemberS{Value: string(next)},
			":waiting": &types.AttributeValueMemberS{Value: string(crm.Waiting)},
			":for":     &types.AttributeValueMemberS{Value: string(f)},
			":now":     &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339Nano)},
		},
		ReturnValues: types.ReturnValueAllOld,
	}
	out, err := s.client.UpdateItem(ctx, in)
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Wait{}, crm.Errorf(crm.Conflict, "%s", crm.WaitEnded)
	}
	if err != nil {
		return crm.Wait{}, fromSDK(fmt.Errorf("take wait of job %s/%s: %w", tenant, id, err))
	}
	it, err := unmarshalJob(out.Attributes)
	if err != nil {
		return crm.Wait{}, err
	}
	j := it.job()
	if j.Wait == nil {
		return crm.Wait{}, crm.Errorf(crm.Conflict, "%s", crm.WaitEnded)
	}
	return *j.Wait, nil
}

// GiveBackWait puts w back on the job, WAITING, in one conditional write:
// only while the job has no wait and is still in taken. An ambiguous
// SendTaskSuccess (a timeout after Step Functions took the answer) lets the
// workflow go on to its next wait, whose SetWait must not be overwritten by
// the old, dead token.
func (s *Jobs) GiveBackWait(ctx context.Context, tenant, id string, w crm.Wait, taken crm.Status) error {
	v, err := attributevalue.Marshal(newWaitItem(&w))
	if err != nil {
		return fmt.Errorf("marshal wait of %s: %w", id, err)
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      jobKey(tenant, id),
		UpdateExpression:         aws.String("SET wizard_wait = :wait, #status = :waiting, updated_at = :now"),
		ConditionExpression:      aws.String("attribute_not_exists(wizard_wait) AND #status = :taken"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":wait":    v,
			":waiting": &types.AttributeValueMemberS{Value: string(crm.Waiting)},
			":taken":   &types.AttributeValueMemberS{Value: string(taken)},
			":now":     &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339Nano)},
		},
	}
	_, err = s.client.UpdateItem(ctx, in)
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "import %s has moved on since its wait was taken: the wait is not given back", id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("give back the wait of job %s/%s: %w", tenant, id, err))
	}
	return nil
}

// SetUserStatus records a user's place in an attended import.
func (s *Jobs) SetUserStatus(ctx context.Context, tenant, id, user string, st crm.UserStatus) error {
	return s.setPerUser(ctx, tenant, id, user, "SET #a = :v, updated_at = :now", "user_status", &types.AttributeValueMemberS{Value: string(st)}, true)
}
