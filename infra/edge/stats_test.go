package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestClassifyNamesServiceAndOperation(t *testing.T) {
	sig := func(svc string) string {
		return "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" + svc + "/aws4_request, SignedHeaders=host, Signature=x"
	}
	tests := []struct {
		name            string
		method, target  string
		headers         map[string]string
		body            string
		wantSvc, wantOp string
	}{
		{"json protocol", "POST", "/", map[string]string{"Authorization": sig("dynamodb"), "X-Amz-Target": "DynamoDB_20120810.BatchWriteItem"}, "", "dynamodb", "BatchWriteItem"},
		{"step functions", "POST", "/", map[string]string{"Authorization": sig("states"), "X-Amz-Target": "AWSStepFunctions.StartExecution"}, "", "states", "StartExecution"},
		{"query protocol body", "POST", "/", map[string]string{"Authorization": sig("cloudformation"), "Content-Type": "application/x-www-form-urlencoded"}, "Action=DescribeStacks&Version=2010-05-15", "cloudformation", "DescribeStacks"},
		{"lambda invoke", "POST", "/2015-03-31/functions/f/invocations", map[string]string{"Authorization": sig("lambda")}, "", "lambda", "Invoke"},
		{"s3 put object", "PUT", "/bucket/incoming/t/a.csv", map[string]string{"Authorization": sig("s3")}, "x", "s3", "PutObject"},
		{"s3 list v2", "GET", "/bucket?list-type=2&prefix=a", map[string]string{"Authorization": sig("s3")}, "", "s3", "ListObjectsV2"},
		{"s3 multipart", "POST", "/bucket/key?uploads", map[string]string{"Authorization": sig("s3")}, "", "s3", "CreateMultipartUpload"},
		{"unsigned s3 get", "GET", "/bucket/key", nil, "", "s3", "GetObject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			svc, op := classify(r)
			if svc != tt.wantSvc || op != tt.wantOp {
				t.Errorf("classify(%s %s) = %s, %s; want %s, %s", tt.method, tt.target, svc, op, tt.wantSvc, tt.wantOp)
			}
		})
	}
}

func TestStatsCountPerAccessKey(t *testing.T) {
	needCloud(t)
	ctx := context.Background()
	cfg := testAWS.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider("stats-test-key", "test", "")
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("stats-test"),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatalf("create table: %v", err)
	}
	post(t, testURL+"/_edge/stats/reset?accessKey=stats-test-key")
	for _, pk := range []string{"a", "b", "c"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("stats-test"), Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatalf("put %s: %v", pk, err)
		}
	}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("stats-test"), Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatalf("get: %v", err)
	}
	// Another client's calls do not show in this key's counts.
	if _, err := dynamodb.NewFromConfig(testAWS).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("stats-test"), Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatalf("get: %v", err)
	}

	resp, err := http.Get(testURL + "/_edge/stats?accessKey=stats-test-key")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]map[string]int
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["dynamodb"]["PutItem"] != 3 || got["dynamodb"]["GetItem"] != 1 || len(got["dynamodb"]) != 2 {
		t.Errorf("stats = %v, want dynamodb PutItem 3 and GetItem 1 only", got)
	}
}

func post(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
}
