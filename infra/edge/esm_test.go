package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestSQSMappingDeletesSucceededMessagesAndLeavesFailedOnesToTheDLQ(t *testing.T) {
	needCloud(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(testAWS)
	q := sqs.NewFromConfig(testAWS)

	table := "esm-test"
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatalf("create table: %v", err)
	}
	dlqURL, dlqARN := createQueue(t, q, "esm-test-dlq", nil)
	queueURL, queueARN := createQueue(t, q, "esm-test", map[string]string{
		// As Lambda requires, longer than the function's timeout: a
		// message in flight never comes back while it is processed.
		"VisibilityTimeout": "6",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`,
	})
	name := createFunction(t, 5, map[string]string{"TABLE": table})
	esm, err := lambda.NewFromConfig(testAWS).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName:          aws.String(name),
		EventSourceArn:        aws.String(queueARN),
		BatchSize:             aws.Int32(10),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	})
	if err != nil {
		t.Fatalf("create event source mapping: %v", err)
	}
	if err := testEdge.mappings.sync(ctx); err != nil {
		t.Fatalf("sync mappings: %v", err)
	}
	got, err := lambda.NewFromConfig(testAWS).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: esm.UUID})
	if err != nil {
		t.Fatalf("get event source mapping: %v", err)
	}
	if aws.ToString(got.State) != "Disabled" {
		t.Errorf("moto's mapping state = %q, want Disabled (the edge plays it)", aws.ToString(got.State))
	}

	for _, body := range []string{"ok-1", "ok-2", "fail-3"} {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatalf("send %s: %v", body, err)
		}
	}

	var stored []string
	var dead []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && (len(stored) < 2 || len(dead) < 1) {
		time.Sleep(200 * time.Millisecond)
		stored = storedBodies(t, db, table)
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlqURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		if err != nil {
			t.Fatalf("receive from dlq: %v", err)
		}
		for _, m := range out.Messages {
			dead = append(dead, aws.ToString(m.Body))
		}
	}
	slices.Sort(stored)
	if want := []string{"ok-1:1", "ok-2:1"}; !slices.Equal(stored, want) {
		t.Errorf("stored bodies:receive count = %v, want %v (each success once, never redelivered)", stored, want)
	}
	if want := []string{"fail-3"}; !slices.Equal(dead, want) {
		t.Errorf("dead-letter queue = %v, want %v", dead, want)
	}
	// The function signs with a key of its own: its requests are counted
	// apart from the test's.
	if got := testEdge.stats.snapshot(statsFilter{function: name}); got["dynamodb"]["PutItem"] != 2 || len(got) != 1 {
		t.Errorf("requests of %s = %v, want dynamodb PutItem 2 only", name, got)
	}
}

func createQueue(t *testing.T, q *sqs.Client, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	ctx := context.Background()
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	a, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue arn of %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), a.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

func storedBodies(t *testing.T, db *dynamodb.Client, table string) []string {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var bodies []string
	for _, item := range out.Items {
		body := item["body"].(*ddbtypes.AttributeValueMemberS).Value
		receive := item["receive"].(*ddbtypes.AttributeValueMemberS).Value
		bodies = append(bodies, body+":"+receive)
	}
	return bodies
}
