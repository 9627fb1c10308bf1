package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/failure"
	"github.com/crmimport/crm-import/internal/tenant"
)

// Tenants reads and writes a tenant's users (sk = USER#{id}) and import
// settings (sk = PROFILE), under pk = T#{tenant}.
type Tenants struct {
	client jobsClient
	table  string
}

// NewTenants returns the tenant store of table.
func NewTenants(client jobsClient, table string) *Tenants {
	return &Tenants{client: client, table: table}
}

type userItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	tenant.User
}

// PutUser adds or replaces a user of the tenant.
func (s *Tenants) PutUser(ctx context.Context, tenantID string, u tenant.User) error {
	item, err := attributevalue.MarshalMap(userItem{PK: tenantPK(tenantID), SK: "USER#" + u.ID, User: u})
	if err != nil {
		return fmt.Errorf("marshal user %s: %w", u.ID, err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return asFailure(fmt.Errorf("put user %s/%s: %w", tenantID, u.ID, err))
	}
	return nil
}

// Users returns all users of a tenant.
func (s *Tenants) Users(ctx context.Context, tenantID string) ([]tenant.User, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			":sk": &types.AttributeValueMemberS{Value: "USER#"},
		},
	})
	var users []tenant.User
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, asFailure(fmt.Errorf("list users of %s: %w", tenantID, err))
		}
		for _, item := range page.Items {
			var it userItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("unmarshal user of %s: %w", tenantID, err)
			}
			users = append(users, it.User)
		}
	}
	return users, nil
}

type profileItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	tenant.Profile
}

// Profile returns a tenant's import settings; a tenant without any has the
// zero profile (the stack's defaults).
func (s *Tenants) Profile(ctx context.Context, tenantID string) (tenant.Profile, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			"sk": &types.AttributeValueMemberS{Value: "PROFILE"},
		},
	})
	if err != nil {
		return tenant.Profile{}, asFailure(fmt.Errorf("get profile of %s: %w", tenantID, err))
	}
	var it profileItem
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
			return tenant.Profile{}, fmt.Errorf("unmarshal profile of %s: %w", tenantID, err)
		}
	}
	return it.Profile, nil
}

// PutProfile stores a tenant's import settings.
func (s *Tenants) PutProfile(ctx context.Context, tenantID string, p tenant.Profile) error {
	item, err := attributevalue.MarshalMap(profileItem{PK: tenantPK(tenantID), SK: "PROFILE", Profile: p})
	if err != nil {
		return fmt.Errorf("marshal profile of %s: %w", tenantID, err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return asFailure(fmt.Errorf("put profile of %s: %w", tenantID, err))
	}
	return nil
}

type configItem struct {
	PK   string `dynamodbav:"pk"`
	SK   string `dynamodbav:"sk"`
	Name string `dynamodbav:"name"`
	JSON string `dynamodbav:"json"`
}

// SaveConfig stores an import configuration under a name. The JSON is kept
// as the tenant wrote it, so a download gives back the same file.
func (s *Tenants) SaveConfig(ctx context.Context, tenantID, name string, raw []byte) error {
	item, err := attributevalue.MarshalMap(configItem{PK: tenantPK(tenantID), SK: "CONFIG#" + name, Name: name, JSON: string(raw)})
	if err != nil {
		return fmt.Errorf("marshal configuration %s: %w", name, err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return asFailure(fmt.Errorf("save configuration %s/%s: %w", tenantID, name, err))
	}
	return nil
}

// Config returns a saved import configuration's JSON.
func (s *Tenants) Config(ctx context.Context, tenantID, name string) ([]byte, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			"sk": &types.AttributeValueMemberS{Value: "CONFIG#" + name},
		},
	})
	if err != nil {
		return nil, asFailure(fmt.Errorf("get configuration %s/%s: %w", tenantID, name, err))
	}
	if out.Item == nil {
		return nil, failure.New(failure.NotFound, "there is no saved import configuration named %q", name)
	}
	var it configItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("unmarshal configuration %s/%s: %w", tenantID, name, err)
	}
	return []byte(it.JSON), nil
}
