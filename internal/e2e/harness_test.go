package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/crmimport/crm-import/internal/cloudtest"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/steps"
)

func TestMain(m *testing.M) { cloudtest.Main(m, everyActionAllowed) }

// stack is the deployed stack as a test drives it.
type stack struct {
	cloud   cloudtest.Cloud
	bucket  string
	table   string
	smARN   string
	s3      *s3.Client
	db      *dynamodb.Client
	sfn     *sfn.Client
	jobs    *dynamo.Jobs
	tenants *dynamo.Tenants
}

func newStack(t testing.TB) *stack {
	t.Helper()
	cloud := cloudtest.Env(t)
	db := dynamodb.NewFromConfig(cloud.AWS)
	st := &stack{
		cloud:  cloud,
		bucket: cloud.Output(t, "BUCKET"),
		table:  cloud.Output(t, "TABLE"),
		smARN:  cloud.Output(t, "STATE_MACHINE_ARN"),
		s3:     s3.NewFromConfig(cloud.AWS, cloudtest.PathStyle, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }),
		db:     db,
		sfn:    sfn.NewFromConfig(cloud.AWS),
	}
	st.jobs = dynamo.NewJobs(db, st.table)
	st.tenants = dynamo.NewTenants(db, st.table)
	return st
}

// newTenant returns a tenant id no other test uses, so tests share the
// stack without seeing each other's data.
func newTenant(t testing.TB) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "e2e-" + hex.EncodeToString(b)
}

func (st *stack) addUser(t testing.TB, tenantID string, u crm.User) {
	t.Helper()
	if err := st.tenants.PutUser(context.Background(), tenantID, u); err != nil {
		t.Fatalf("PutUser(%s): %v", u.ID, err)
	}
}

func (st *stack) saveConfig(t testing.TB, tenantID, name, json string) {
	t.Helper()
	if err := st.tenants.SaveConfig(context.Background(), tenantID, name, []byte(json)); err != nil {
		t.Fatalf("SaveConfig(%s): %v", name, err)
	}
}

// upload puts a file under the tenant's incoming prefix, naming a saved
// configuration when config is not empty, and returns the import job id the
// pipeline will give it.
func (st *stack) upload(t *testing.T, tenantID, entity, name string, body []byte, config string) string {
	t.Helper()
	key := crm.IncomingPrefix + tenantID + "/" + entity + "/" + name
	in := &s3.PutObjectInput{Bucket: &st.bucket, Key: &key, Body: bytes.NewReader(body)}
	if config != "" {
		in.Metadata = map[string]string{steps.ConfigMetadata: config}
	}
	out, err := st.s3.PutObject(context.Background(), in)
	if err != nil {
		t.Fatalf("PutObject(%s): %v", key, err)
	}
	return crm.ImportID(st.bucket, key, aws.ToString(out.VersionId), aws.ToString(out.ETag))
}

// waitJob waits until the job has ended and returns it.
func (st *stack) waitJob(t *testing.T, tenantID, id string) crm.Job {
	t.Helper()
	return st.waitJobFor(t, tenantID, id, 90*time.Second)
}

// record is a user's record as the tests compare it.
type record struct {
	SK       string            `dynamodbav:"sk"`
	ID       string            `dynamodbav:"id"`
	Entity   string            `dynamodbav:"entity"`
	Fields   map[string]string `dynamodbav:"fields"`
	Version  int64             `dynamodbav:"version"`
	ImportID string            `dynamodbav:"import_id"`
}

// records reads all of a user's records, sorted by sort key.
func (st *stack) records(t *testing.T, tenantID, user string) []record {
	t.Helper()
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.UserPK(tenantID, user)}},
		ConsistentRead:            aws.Bool(true),
	})
	var out []record
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Query records of %s/%s: %v", tenantID, user, err)
		}
		var recs []record
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &recs); err != nil {
			t.Fatalf("unmarshal records: %v", err)
		}
		out = append(out, recs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SK < out[j].SK })
	return out
}

// byField indexes records by the value of one field.
func byField(recs []record, field string) map[string]record {
	m := map[string]record{}
	for _, r := range recs {
		m[r.Fields[field]] = r
	}
	return m
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
