package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var _ crm.UndoRuns = (*Jobs)(nil)

// undoRunItem is crm.UndoRun as the job item keeps it (attribute undo).
type undoRunItem struct {
	Status    string     `dynamodbav:"status"`
	Done      int        `dynamodbav:"done"`
	Total     int        `dynamodbav:"total"`
	Deleted   int        `dynamodbav:"deleted"`
	Restored  int        `dynamodbav:"restored"`
	Conflicts int        `dynamodbav:"conflicts"`
	By        string     `dynamodbav:"by,omitempty"`
	At        time.Time  `dynamodbav:"at"`
	Forced    bool       `dynamodbav:"forced"`
	EndedAt   *time.Time `dynamodbav:"ended_at,omitempty"`
	Reason    string     `dynamodbav:"reason,omitempty"`
	Execution string     `dynamodbav:"execution"`
}

func (it *undoRunItem) run() *crm.UndoRun {
	if it == nil {
		return nil
	}
	return &crm.UndoRun{
		Status: crm.UndoStatus(it.Status), Done: it.Done, Total: it.Total, Deleted: it.Deleted, Restored: it.Restored,
		Conflicts: it.Conflicts, By: it.By, At: it.At, Forced: it.Forced, EndedAt: it.EndedAt, Reason: it.Reason, Execution: it.Execution,
	}
}

func newUndoRunItem(r crm.UndoRun) undoRunItem {
	return undoRunItem{
		Status: string(r.Status), Done: r.Done, Total: r.Total, Deleted: r.Deleted, Restored: r.Restored,
		Conflicts: r.Conflicts, By: r.By, At: r.At, Forced: r.Forced, EndedAt: r.EndedAt, Reason: r.Reason, Execution: r.Execution,
	}
}

// StartUndo records run on an ended job with one conditional write: no
// run before, or one that has ended, or the one of execution replace.
func (s *Jobs) StartUndo(ctx context.Context, tenant, id string, run crm.UndoRun, replace string) error {
	if run.Execution == "" {
		return crm.Errorf(crm.Internal, "start the undo of import %s: the run names no execution", id)
	}
	av, err := attributevalue.Marshal(newUndoRunItem(run))
	if err != nil {
		return crm.Wrap(err, crm.Internal, "encode the undo of import %s", id)
	}
	values := map[string]types.AttributeValue{
		":run":     av,
		":running": &types.AttributeValueMemberS{Value: string(crm.UndoRunning)},
		":replace": &types.AttributeValueMemberS{Value: replace},
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(s.table),
		Key:              jobKey(tenant, id),
		UpdateExpression: aws.String("SET #undo = :run"),
		ConditionExpression: aws.String("attribute_exists(pk) AND " + ended(values) + " AND " +
			"(attribute_not_exists(#undo) OR #undo.#status <> :running OR #undo.#execution = :replace)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#undo": "undo", "#execution": "execution"},
		ExpressionAttributeValues: values,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "import %s is being undone already, or has not ended (run crmimport status %s)", id, id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("start the undo of job %s/%s: %w", tenant, id, err))
	}
	return nil
}

// UpdateUndo writes run while the job's run is run.Execution's.
func (s *Jobs) UpdateUndo(ctx context.Context, tenant, id string, run crm.UndoRun) error {
	av, err := attributevalue.Marshal(newUndoRunItem(run))
	if err != nil {
		return crm.Wrap(err, crm.Internal, "encode the undo of import %s", id)
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       jobKey(tenant, id),
		UpdateExpression:          aws.String("SET #undo = :run"),
		ConditionExpression:       aws.String("#undo.#execution = :execution"),
		ExpressionAttributeNames:  map[string]string{"#undo": "undo", "#execution": "execution"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":run": av, ":execution": &types.AttributeValueMemberS{Value: run.Execution}},
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "the undo of import %s was replaced by another run", id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("update the undo of job %s/%s: %w", tenant, id, err))
	}
	return nil
}
