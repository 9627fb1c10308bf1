package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.Restores = (*Jobs)(nil)

// A restore job is an item of its own kind beside the import jobs:
// pk = T#{tenant}, sk = RESTORE#{id}. The restore is kept whole as JSON in
// data; status, rev (a counter every move bumps, the condition of the
// next), done (the progress, set on its own while RESTORING) and token
// (never in data: it leaves the server only to Step Functions) are
// attributes of their own, for the conditions and updates that need them.

func restoreKey(tenant, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: tenantPK(tenant)},
		"sk": &types.AttributeValueMemberS{Value: "RESTORE#" + id},
	}
}

func restoreItem(r crm.Restore, rev int) (map[string]types.AttributeValue, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, crm.Wrap(err, crm.Internal, "encode restore %s", r.ID)
	}
	item := restoreKey(r.Tenant, r.ID)
	item["kind"] = &types.AttributeValueMemberS{Value: "restore"}
	item["status"] = &types.AttributeValueMemberS{Value: string(r.Status)}
	item["rev"] = &types.AttributeValueMemberN{Value: strconv.Itoa(rev)}
	item["done"] = &types.AttributeValueMemberN{Value: strconv.Itoa(r.Done)}
	item["data"] = &types.AttributeValueMemberS{Value: string(data)}
	if r.Token != "" {
		item["token"] = &types.AttributeValueMemberS{Value: r.Token}
	}
	return item, nil
}

func decodeRestore(item map[string]types.AttributeValue) (crm.Restore, int, error) {
	data, _ := item["data"].(*types.AttributeValueMemberS)
	if data == nil {
		return crm.Restore{}, 0, crm.Errorf(crm.Internal, "a restore item holds no data")
	}
	var r crm.Restore
	if err := json.Unmarshal([]byte(data.Value), &r); err != nil {
		return crm.Restore{}, 0, crm.Wrap(err, crm.Internal, "decode restore")
	}
	if st, ok := item["status"].(*types.AttributeValueMemberS); ok {
		r.Status = crm.RestoreStatus(st.Value)
	}
	if d, ok := item["done"].(*types.AttributeValueMemberN); ok {
		r.Done, _ = strconv.Atoi(d.Value)
	}
	if tk, ok := item["token"].(*types.AttributeValueMemberS); ok {
		r.Token = tk.Value
	}
	rev := 0
	if n, ok := item["rev"].(*types.AttributeValueMemberN); ok {
		rev, _ = strconv.Atoi(n.Value)
	}
	return r, rev, nil
}

// CreateRestore stores a new restore.
func (s *Jobs) CreateRestore(ctx context.Context, r crm.Restore) error {
	if err := checkName("tenant", r.Tenant); err != nil {
		return err
	}
	item, err := restoreItem(r, 1)
	if err != nil {
		return err
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "restore %s exists already", r.ID)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("create restore %s/%s: %w", r.Tenant, r.ID, err))
	}
	return nil
}

func (s *Jobs) getRestore(ctx context.Context, tenant, id string) (crm.Restore, int, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: restoreKey(tenant, id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return crm.Restore{}, 0, fromSDK(fmt.Errorf("get restore %s/%s: %w", tenant, id, err))
	}
	if len(out.Item) == 0 {
		return crm.Restore{}, 0, crm.Errorf(crm.NotFound, "restore %s does not exist", id)
	}
	return decodeRestore(out.Item)
}

// GetRestore reads one restore, strongly consistent.
func (s *Jobs) GetRestore(ctx context.Context, tenant, id string) (crm.Restore, error) {
	r, _, err := s.getRestore(ctx, tenant, id)
	return r, err
}

// ListRestores queries the tenant's restores, newest first.
func (s *Jobs) ListRestores(ctx context.Context, tenant string) ([]crm.Restore, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :restore)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":      &types.AttributeValueMemberS{Value: tenantPK(tenant)},
			":restore": &types.AttributeValueMemberS{Value: "RESTORE#"},
		},
	})
	out := []crm.Restore{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fromSDK(fmt.Errorf("list restores of %s: %w", tenant, err))
		}
		for _, item := range page.Items {
			r, _, err := decodeRestore(item)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b crm.Restore) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// MoveRestore reads the restore, changes it and writes it back on the
// condition that nobody moved it in between (its rev).
func (s *Jobs) MoveRestore(ctx context.Context, tenant, id string, from []crm.RestoreStatus, change func(*crm.Restore)) (crm.Restore, crm.Restore, error) {
	before, rev, err := s.getRestore(ctx, tenant, id)
	if err != nil {
		return crm.Restore{}, crm.Restore{}, err
	}
	if !slices.Contains(from, before.Status) {
		return before, before, crm.Errorf(crm.Conflict, "restore %s is %s", id, before.Status)
	}
	after := before
	change(&after)
	item, err := restoreItem(after, rev+1)
	if err != nil {
		return before, before, err
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		ConditionExpression:       aws.String("rev = :rev"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":rev": &types.AttributeValueMemberN{Value: strconv.Itoa(rev)}},
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		now, _, gerr := s.getRestore(ctx, tenant, id)
		if gerr != nil {
			return before, before, gerr
		}
		return before, now, crm.Errorf(crm.Conflict, "restore %s is %s", id, now.Status)
	}
	if err != nil {
		return before, before, fromSDK(fmt.Errorf("move restore %s/%s: %w", tenant, id, err))
	}
	return before, after, nil
}

// SetRestoreProgress sets done while the restore is RESTORING.
func (s *Jobs) SetRestoreProgress(ctx context.Context, tenant, id string, done int) error {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      restoreKey(tenant, id),
		UpdateExpression:         aws.String("SET done = :d"),
		ConditionExpression:      aws.String("#status = :restoring"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":d":         &types.AttributeValueMemberN{Value: strconv.Itoa(done)},
			":restoring": &types.AttributeValueMemberS{Value: string(crm.RestoreRestoring)},
		},
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "restore %s is no longer restoring", id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("set the progress of restore %s/%s: %w", tenant, id, err))
	}
	return nil
}
