package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// API is the part of the DynamoDB client the records need. There is no
// GetItem here on purpose: records are read a user at a time with Query.
// PutItem writes a chunk's before-image of its creates, and UpdateItem adds
// to it when the chunk is retried.
type API interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// UserPK is the partition of a user's records.
func UserPK(tenant, user string) string { return tenantPK(tenant) + "#U#" + user }

// RecordSK is the sort key of a record: the entity in upper case, then the ID.
func RecordSK(entity, id string) string { return strings.ToUpper(entity) + "#" + id }

// ImportPK is the partition of an import's before-images.
func ImportPK(tenant, importID string) string { return tenantPK(tenant) + "#IMPORT#" + importID }

// BeforeSK is the sort key of the before-image of one record.
func BeforeSK(user, entity, id string) string { return "BEFORE#" + user + "#" + RecordSK(entity, id) }

// checkName refuses names that would let a key reach into another
// partition: '#' separates the parts of a key. Names come from the
// pipeline, never straight from a tenant's file, so a bad one is a bug.
func checkName(what, v string) error {
	if v == "" || strings.Contains(v, "#") {
		return crm.Errorf(crm.Internal, "%s %q: must be non-empty and must not contain '#'", what, v)
	}
	return nil
}

// checkScope refuses a scope with a name checkName refuses.
func checkScope(s crm.Scope) error {
	for _, n := range [][2]string{{"tenant", s.Tenant}, {"user", s.User}, {"entity", s.Entity}, {"import", s.ImportID}} {
		if err := checkName(n[0], n[1]); err != nil {
			return err
		}
	}
	return nil
}

// recordItem is a record as stored.
type recordItem struct {
	PK        string            `dynamodbav:"pk"`
	SK        string            `dynamodbav:"sk"`
	Entity    string            `dynamodbav:"entity"`
	ID        string            `dynamodbav:"id"`
	Fields    map[string]string `dynamodbav:"fields"`
	Version   int64             `dynamodbav:"version"`
	ImportID  string            `dynamodbav:"import_id,omitempty"`
	UpdatedAt string            `dynamodbav:"updated_at,omitempty"`
}

func (it recordItem) record() crm.Record {
	fields := it.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	return crm.Record{Entity: it.Entity, ID: it.ID, Fields: fields, Version: it.Version, ImportID: it.ImportID}
}

var _ crm.Records = (*Records)(nil)

// Records reads and writes users' records in one table.
type Records struct {
	API   API
	Table string
	// Backoff bounds the retries of throttled and unprocessed writes.
	Backoff Backoff
	// BeforeImageTTL is how long before-images are kept for undo; default
	// 90 days.
	BeforeImageTTL time.Duration
	// PageLimit caps the items of one Query page; 0 leaves DynamoDB's 1 MB
	// pages.
	PageLimit int32
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// NewRecords uses api on table with the defaults.
func NewRecords(api API, table string) *Records {
	return &Records{API: api, Table: table}
}

func (r *Records) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Query returns all of a user's records of an entity, reading the
// partition page by page. Reads are strongly consistent: a plan made right
// after a write must see it.
func (r *Records) Query(ctx context.Context, tenant, user, entity string) ([]crm.Record, error) {
	for _, n := range [][2]string{{"tenant", tenant}, {"user", user}, {"entity", entity}} {
		if err := checkName(n[0], n[1]); err != nil {
			return nil, err
		}
	}
	var out []crm.Record
	err := r.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: UserPK(tenant, user)},
			":prefix": &types.AttributeValueMemberS{Value: RecordSK(entity, "")},
		},
	}, func(item map[string]types.AttributeValue) error {
		var it recordItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return crm.Wrap(err, crm.Internal, "decode record")
		}
		out = append(out, it.record())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query records of user %s: %w", user, err)
	}
	return out, nil
}

// query runs a strongly consistent Query through all its pages.
func (r *Records) query(ctx context.Context, in *dynamodb.QueryInput, each func(map[string]types.AttributeValue) error) error {
	in.TableName = aws.String(r.Table)
	in.ConsistentRead = aws.Bool(true)
	if r.PageLimit > 0 {
		in.Limit = aws.Int32(r.PageLimit)
	}
	p := dynamodb.NewQueryPaginator(r.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fromSDK(err)
		}
		for _, item := range page.Items {
			if err := each(item); err != nil {
				return err
			}
		}
	}
	return nil
}
