package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A job's per-user entries (progress, planned deletions, dropped rows, the
// import a user waits for, the user's place in the wizard) are items of
// their own beside the job, pk = T#{tenant}, sk = IMPORTUSER#{id}#{user},
// not maps on the job's item. On the job's item they grew by ~70 bytes a
// user: past ~5,000 users the item would pass DynamoDB's 400 KB and every
// write to it fail, and every progress write costs the write units of the
// whole item (70 at 1,000 users), on one item every user's apply writes to.
// Apart, a write costs one unit whatever the number of users; reading a
// job costs one Query of its entries beside the GetItem. The prefix is not
// "IMPORT#", so that the tenant's list of jobs does not read them.
const jobUserPrefix = "IMPORTUSER#"

func jobUserKey(tenant, id, user string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: tenantPK(tenant)},
		"sk": &types.AttributeValueMemberS{Value: jobUserPrefix + id + "#" + user},
	}
}

// jobUserItem is one user's entries of a job as stored.
type jobUserItem struct {
	SK         string  `dynamodbav:"sk"`
	Progress   *int    `dynamodbav:"progress"`
	Deletes    *int    `dynamodbav:"deletes"`
	Dropped    *int    `dynamodbav:"dropped"`
	Waiting    *string `dynamodbav:"waiting"`
	UserStatus *string `dynamodbav:"user_status"`
	// UpdatedAt is the entry's last write: a job read shows the latest of
	// its own and its users' (progress moves while the job's item rests).
	UpdatedAt time.Time `dynamodbav:"updated_at"`
}

// SetProgress records how many of a user's rows (and planned deletions)
// are applied.
func (s *Jobs) SetProgress(ctx context.Context, tenant, id, user string, done int) error {
	return s.setPerUser(ctx, tenant, id, user, "SET #a = :v, updated_at = :now", "progress", &types.AttributeValueMemberN{Value: strconv.Itoa(done)}, false)
}

// SetDeletes records how many records a user's plan deletes; they add to the
// job's total, which split set to the file's rows.
func (s *Jobs) SetDeletes(ctx context.Context, tenant, id, user string, n int) error {
	return s.setPerUser(ctx, tenant, id, user, "SET #a = :v, updated_at = :now", "deletes", &types.AttributeValueMemberN{Value: strconv.Itoa(n)}, true)
}

// SetDropped takes a user's rows, and the deletions the user's plan made,
// out of the job's total, in one write.
func (s *Jobs) SetDropped(ctx context.Context, tenant, id, user string, rows int) error {
	return s.setPerUser(ctx, tenant, id, user, "SET #a = :v, updated_at = :now REMOVE deletes", "dropped", &types.AttributeValueMemberN{Value: strconv.Itoa(rows)}, true)
}

// SetWaiting records the import a user's part of the job waits for; ""
// removes the entry.
func (s *Jobs) SetWaiting(ctx context.Context, tenant, id, user, holder string) error {
	if holder == "" {
		return s.setPerUser(ctx, tenant, id, user, "SET updated_at = :now REMOVE #a", "waiting", nil, false)
	}
	return s.setPerUser(ctx, tenant, id, user, "SET #a = :v, updated_at = :now", "waiting", &types.AttributeValueMemberS{Value: holder}, true)
}

// setPerUser writes one of a user's entries. A retried step sets the same
// value again, where an ADD would count it twice. A checked write is
// conditional on the job existing (a transaction with a check of the job's
// item), as a map entry on the job's item was; progress is not checked
// (written often, only for people watching, by a step that has read the
// job), nor is a removal (v nil).
func (s *Jobs) setPerUser(ctx context.Context, tenant, id, user, expr, attr string, v types.AttributeValue, checked bool) error {
	in := &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      jobUserKey(tenant, id, user),
		UpdateExpression:         &expr,
		ExpressionAttributeNames: map[string]string{"#a": attr},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberS{Value: s.now().UTC().Format(time.RFC3339Nano)},
		},
	}
	if v != nil {
		in.ExpressionAttributeValues[":v"] = v
	}
	var err error
	switch {
	case v == nil:
		// A removal (after every lease taken) needs no transaction: on
		// no entry, or no job, there is nothing to remove, and none is
		// made.
		in.ConditionExpression = aws.String("attribute_exists(pk)")
		_, err = s.client.UpdateItem(ctx, in)
		var cond *types.ConditionalCheckFailedException
		if errors.As(err, &cond) {
			return nil
		}
	case !checked:
		_, err = s.client.UpdateItem(ctx, in)
	default:
		up := &types.Update{TableName: in.TableName, Key: in.Key, UpdateExpression: in.UpdateExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues}
		_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{ConditionCheck: &types.ConditionCheck{TableName: &s.table, Key: jobKey(tenant, id), ConditionExpression: aws.String("attribute_exists(pk)")}},
			{Update: up},
		}})
		var cancelled *types.TransactionCanceledException
		if errors.As(err, &cancelled) && len(cancelled.CancellationReasons) > 0 && aws.ToString(cancelled.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
			return crm.Errorf(crm.NotFound, "import %s does not exist", id)
		}
	}
	if err != nil {
		return fromSDK(fmt.Errorf("set %s of %s in job %s/%s: %w", attr, user, tenant, id, err))
	}
	return nil
}

// readUsers adds the job's per-user entries to it, as the maps an item
// written before they moved out still holds.
func (s *Jobs) readUsers(ctx context.Context, it *jobItem) error {
	prefix := jobUserPrefix + it.ID + "#"
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: tenantPK(it.Tenant)},
			":p":  &types.AttributeValueMemberS{Value: prefix},
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fromSDK(fmt.Errorf("read the users of job %s/%s: %w", it.Tenant, it.ID, err))
		}
		var users []jobUserItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &users); err != nil {
			return fmt.Errorf("unmarshal the users of job %s: %w", it.ID, err)
		}
		for _, u := range users {
			it.addUser(strings.TrimPrefix(u.SK, prefix), u)
		}
	}
	return nil
}

func (it *jobItem) addUser(user string, u jobUserItem) {
	if u.UpdatedAt.After(it.UpdatedAt) {
		it.UpdatedAt = u.UpdatedAt
	}
	if u.Progress != nil {
		it.Progress = setIn(it.Progress, user, *u.Progress)
	}
	if u.Deletes != nil {
		it.Deletes = setIn(it.Deletes, user, *u.Deletes)
	}
	if u.Dropped != nil {
		it.Dropped = setIn(it.Dropped, user, *u.Dropped)
		// Dropped rows take the user's deletions out with them, even
		// those an older item keeps in its map.
		delete(it.Deletes, user)
	}
	if u.Waiting != nil {
		it.Waiting = setIn(it.Waiting, user, *u.Waiting)
	}
	if u.UserStatus != nil {
		it.UserStatus = setIn(it.UserStatus, user, *u.UserStatus)
	}
}

func setIn[V any](m map[string]V, k string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}
