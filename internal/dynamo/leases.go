package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.Leases = (*Leases)(nil)

// Leases keeps import leases: pk = T#{tenant}, sk = LEASE#{ENTITY}#{user},
// with the holding import and the time it expires. Taking one is a single
// conditional PutItem, so two imports can never both hold it; the table's
// TTL removes leases long expired.
type Leases struct {
	client jobsClient
	table  string
	now    func() time.Time
}

// NewLeases returns the lease store of table.
func NewLeases(client jobsClient, table string) *Leases {
	return &Leases{client: client, table: table, now: time.Now}
}

func leaseKey(l crm.Lease) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: tenantPK(l.Tenant)},
		"sk": &types.AttributeValueMemberS{Value: "LEASE#" + strings.ToUpper(l.Entity) + "#" + l.User},
	}
}

// Acquire takes l when it is free, expired or l.Holder's already.
func (s *Leases) Acquire(ctx context.Context, l crm.Lease) error {
	item := leaseKey(l)
	item["holder"] = &types.AttributeValueMemberS{Value: l.Holder}
	item["until"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(l.Until.UnixMilli(), 10)}
	// The TTL deletes a lease a day after it lapsed: it has no use then.
	item["ttl"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(l.Until.Add(24*time.Hour).Unix(), 10)}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                item,
		ConditionExpression:                 aws.String("attribute_not_exists(pk) OR holder = :me OR #until < :now"),
		ExpressionAttributeNames:            map[string]string{"#until": "until"},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":me":  &types.AttributeValueMemberS{Value: l.Holder},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(s.now().UnixMilli(), 10)},
		},
	})
	var held *types.ConditionalCheckFailedException
	if errors.As(err, &held) {
		holder := "another import"
		if h, ok := held.Item["holder"].(*types.AttributeValueMemberS); ok {
			holder = h.Value
		}
		return crm.LeaseBusy(l, holder)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("acquire lease of %s/%s/%s for %s: %w", l.Tenant, l.User, l.Entity, l.Holder, err))
	}
	return nil
}

// Release deletes l if l.Holder still holds it.
func (s *Leases) Release(ctx context.Context, l crm.Lease) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &s.table,
		Key:                       leaseKey(l),
		ConditionExpression:       aws.String("holder = :me"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":me": &types.AttributeValueMemberS{Value: l.Holder}},
	})
	var gone *types.ConditionalCheckFailedException
	if errors.As(err, &gone) {
		return nil
	}
	if err != nil {
		return fromSDK(fmt.Errorf("release lease of %s/%s/%s for %s: %w", l.Tenant, l.User, l.Entity, l.Holder, err))
	}
	return nil
}
