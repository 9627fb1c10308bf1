package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var _ crm.Tenants = (*Tenants)(nil)

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

// userItem is a crm.User as stored.
type userItem struct {
	PK             string            `dynamodbav:"pk"`
	SK             string            `dynamodbav:"sk"`
	ID             string            `dynamodbav:"id"`
	Email          string            `dynamodbav:"email"`
	EmployeeNumber string            `dynamodbav:"employee_number,omitempty"`
	Name           string            `dynamodbav:"name,omitempty"`
	Fields         map[string]string `dynamodbav:"fields,omitempty"`
}

// PutUser adds or replaces a user of the tenant.
func (s *Tenants) PutUser(ctx context.Context, tenantID string, u crm.User) error {
	item, err := attributevalue.MarshalMap(userItem{PK: tenantPK(tenantID), SK: "USER#" + u.ID, ID: u.ID, Email: u.Email, EmployeeNumber: u.EmployeeNumber, Name: u.Name, Fields: u.Fields})
	if err != nil {
		return fmt.Errorf("marshal user %s: %w", u.ID, err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fromSDK(fmt.Errorf("put user %s/%s: %w", tenantID, u.ID, err))
	}
	return nil
}

// PutUsers adds or replaces users of the tenant, one PutItem each: a
// tenant's directory is hundreds of users, not the hundred thousands of
// records BatchWriteItem is there for, and a retried import puts the same
// items again.
func (s *Tenants) PutUsers(ctx context.Context, tenantID string, users []crm.User) error {
	for _, u := range users {
		if err := s.PutUser(ctx, tenantID, u); err != nil {
			return err
		}
	}
	return nil
}

// Users returns all users of a tenant.
func (s *Tenants) Users(ctx context.Context, tenantID string) ([]crm.User, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			":sk": &types.AttributeValueMemberS{Value: "USER#"},
		},
	})
	var users []crm.User
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fromSDK(fmt.Errorf("list users of %s: %w", tenantID, err))
		}
		for _, item := range page.Items {
			var it userItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("unmarshal user of %s: %w", tenantID, err)
			}
			users = append(users, crm.User{ID: it.ID, Email: it.Email, EmployeeNumber: it.EmployeeNumber, Name: it.Name, Fields: it.Fields})
		}
	}
	return users, nil
}

// profileItem is a crm.Profile as stored.
type profileItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	MaxRows    int    `dynamodbav:"max_rows,omitempty"`
	MaxUsers   int    `dynamodbav:"max_users,omitempty"`
	SyncedFrom string `dynamodbav:"synced_from,omitempty"`
	// MaxUploadBytes bounds the tenant's uploads, in bytes.
	MaxUploadBytes int64 `dynamodbav:"max_upload_bytes,omitempty"`
	// MaxRunningImports bounds the tenant's imports running at once.
	MaxRunningImports int `dynamodbav:"max_running_imports,omitempty"`
	// WaitSeconds bounds each wait of an attended import for the tenant.
	WaitSeconds int `dynamodbav:"wait_seconds,omitempty"`
}

// Profile returns a tenant's import settings; a tenant without any has the
// zero profile (the stack's defaults).
func (s *Tenants) Profile(ctx context.Context, tenantID string) (crm.Profile, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			"sk": &types.AttributeValueMemberS{Value: "PROFILE"},
		},
	})
	if err != nil {
		return crm.Profile{}, fromSDK(fmt.Errorf("get profile of %s: %w", tenantID, err))
	}
	var it profileItem
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
			return crm.Profile{}, fmt.Errorf("unmarshal profile of %s: %w", tenantID, err)
		}
	}
	return crm.Profile{MaxRows: it.MaxRows, MaxUsers: it.MaxUsers, MaxUploadBytes: it.MaxUploadBytes, MaxRunningImports: it.MaxRunningImports, SyncedFrom: it.SyncedFrom, WaitSeconds: it.WaitSeconds}, nil
}

// PutProfile stores a tenant's import settings.
func (s *Tenants) PutProfile(ctx context.Context, tenantID string, p crm.Profile) error {
	item, err := attributevalue.MarshalMap(profileItem{PK: tenantPK(tenantID), SK: "PROFILE",
		MaxRows: p.MaxRows, MaxUsers: p.MaxUsers, MaxUploadBytes: p.MaxUploadBytes, MaxRunningImports: p.MaxRunningImports, SyncedFrom: p.SyncedFrom, WaitSeconds: p.WaitSeconds})
	if err != nil {
		return fmt.Errorf("marshal profile of %s: %w", tenantID, err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fromSDK(fmt.Errorf("put profile of %s: %w", tenantID, err))
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
		return fromSDK(fmt.Errorf("save configuration %s/%s: %w", tenantID, name, err))
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
		return nil, fromSDK(fmt.Errorf("get configuration %s/%s: %w", tenantID, name, err))
	}
	if out.Item == nil {
		return nil, crm.Errorf(crm.NotFound, "there is no saved import configuration named %q", name)
	}
	var it configItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, fmt.Errorf("unmarshal configuration %s/%s: %w", tenantID, name, err)
	}
	return []byte(it.JSON), nil
}

// ListConfigs returns the tenant's saved configurations, by name (the
// sort key orders them).
func (s *Tenants) ListConfigs(ctx context.Context, tenantID string) ([]crm.SavedConfig, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			":sk": &types.AttributeValueMemberS{Value: "CONFIG#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	configs := []crm.SavedConfig{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fromSDK(fmt.Errorf("list configurations of %s: %w", tenantID, err))
		}
		for _, item := range page.Items {
			var it configItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("unmarshal configuration of %s: %w", tenantID, err)
			}
			configs = append(configs, crm.SavedConfig{Name: it.Name, JSON: []byte(it.JSON)})
		}
	}
	return configs, nil
}

// DeleteConfig removes a saved configuration, in one conditional
// DeleteItem: a name that is not there is NotFound, not a silent success.
func (s *Tenants) DeleteConfig(ctx context.Context, tenantID, name string) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: tenantPK(tenantID)},
			"sk": &types.AttributeValueMemberS{Value: "CONFIG#" + name},
		},
		ConditionExpression: aws.String("attribute_exists(pk)"),
	})
	var missing *types.ConditionalCheckFailedException
	if errors.As(err, &missing) {
		return crm.Errorf(crm.NotFound, "there is no saved import configuration named %q", name)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("delete configuration %s/%s: %w", tenantID, name, err))
	}
	return nil
}
