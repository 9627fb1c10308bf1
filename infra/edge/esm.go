package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// pollersPerMapping is how many batches of one queue run at once. Lambda
// starts with more, but two show concurrency without flooding moto.
const pollersPerMapping = 2

// mappings plays the SQS event source mappings moto knows but cannot run.
//
// moto would try to run an enabled SQS mapping itself on every SendMessage
// (and fail without Docker, counting a receive against the redrive policy),
// so the edge adopts each enabled mapping by disabling it in moto and
// polling the queue itself. Adopted ids are kept in a file so a restarted
// edge resumes them.
type mappings struct {
	e    *edge
	file string

	mu      sync.Mutex
	adopted map[string]*mapping
	ctx     context.Context
}

type mapping struct {
	UUID                    string `json:"uuid"`
	FunctionARN             string `json:"functionArn"`
	QueueARN                string `json:"queueArn"`
	QueueURL                string `json:"queueUrl"`
	BatchSize               int32  `json:"batchSize"`
	ReportBatchItemFailures bool   `json:"reportBatchItemFailures"`

	Invocations int `json:"invocations"`
	Deleted     int `json:"deleted"`
	Failed      int `json:"failed"`

	cancel context.CancelFunc
}

func newMappings(e *edge) *mappings {
	return &mappings{e: e, file: filepath.Join(e.cfg.StateDir, "esm.json"), adopted: map[string]*mapping{}, ctx: context.Background()}
}

// RunEventSources syncs mappings with moto until ctx ends.
func (e *edge) RunEventSources(ctx context.Context) {
	m := e.mappings
	m.mu.Lock()
	m.ctx = ctx
	m.mu.Unlock()
	tick := time.NewTicker(e.cfg.ESMInterval)
	defer tick.Stop()
	for {
		if err := m.sync(ctx); err != nil && ctx.Err() == nil {
			e.logger.Debug("event source mappings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sync adopts new enabled SQS mappings and stops pollers of deleted ones.
func (m *mappings) sync(ctx context.Context) error {
	var all []*lambda.ListEventSourceMappingsOutput
	p := lambda.NewListEventSourceMappingsPaginator(m.e.lambda, &lambda.ListEventSourceMappingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list event source mappings: %w", err)
		}
		all = append(all, page)
	}
	known := m.loadAdopted()
	seen := map[string]bool{}
	for _, page := range all {
		for _, c := range page.EventSourceMappings {
			id := aws.ToString(c.UUID)
			seen[id] = true
			if !strings.HasPrefix(aws.ToString(c.EventSourceArn), "arn:aws:sqs:") {
				continue
			}
			m.mu.Lock()
			_, running := m.adopted[id]
			m.mu.Unlock()
			enabled := aws.ToString(c.State) == "Enabled"
			if !enabled && !running && !known[id] {
				continue // disabled by someone else: leave it off
			}
			if enabled {
				// Also after a stack update turned it back on in moto.
				if _, err := m.e.lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{
					UUID: c.UUID, Enabled: aws.Bool(false),
				}); err != nil {
					return fmt.Errorf("take over mapping %s: %w", id, err)
				}
			}
			if running {
				continue
			}
			mp := &mapping{
				UUID:                    id,
				FunctionARN:             aws.ToString(c.FunctionArn),
				QueueARN:                aws.ToString(c.EventSourceArn),
				BatchSize:               aws.ToInt32(c.BatchSize),
				ReportBatchItemFailures: slices.ContainsFunc(c.FunctionResponseTypes, func(t lambdatypes.FunctionResponseType) bool { return string(t) == "ReportBatchItemFailures" }),
			}
			if err := m.start(mp); err != nil {
				return err
			}
		}
	}
	m.mu.Lock()
	for id, mp := range m.adopted {
		if !seen[id] {
			mp.cancel()
			delete(m.adopted, id)
		}
	}
	m.mu.Unlock()
	return m.saveAdopted()
}

func (m *mappings) start(mp *mapping) error {
	url, err := m.queueURL(mp.QueueARN)
	if err != nil {
		return err
	}
	mp.QueueURL = url
	if mp.BatchSize <= 0 {
		mp.BatchSize = 10
	}
	m.mu.Lock()
	ctx, cancel := context.WithCancel(m.ctx)
	mp.cancel = cancel
	m.adopted[mp.UUID] = mp
	m.mu.Unlock()
	m.e.logger.Info("playing sqs event source mapping", "uuid", mp.UUID, "queue", mp.QueueARN, "function", mp.FunctionARN)
	for range pollersPerMapping {
		go m.poll(ctx, mp)
	}
	return nil
}

func (m *mappings) queueURL(arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 {
		return "", fmt.Errorf("queue arn %q is malformed", arn)
	}
	out, err := m.e.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{
		QueueName: aws.String(parts[5]), QueueOwnerAWSAccountId: aws.String(parts[4]),
	}, func(o *sqs.Options) { o.Region = parts[3] })
	if err != nil {
		return "", fmt.Errorf("queue url of %s: %w", arn, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// poll is one Lambda poller: receive a batch, invoke, delete what
// succeeded. Failed messages stay and come back after the visibility
// timeout, until the queue's redrive policy moves them to its DLQ.
func (m *mappings) poll(ctx context.Context, mp *mapping) {
	region := strings.Split(mp.QueueARN, ":")[3]
	for ctx.Err() == nil {
		out, err := m.e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(mp.QueueURL),
			MaxNumberOfMessages:         min(mp.BatchSize, 10),
			WaitTimeSeconds:             2,
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() == nil {
				m.e.logger.Warn("receive", "queue", mp.QueueARN, "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(out.Messages) == 0 {
			continue
		}
		m.deliver(ctx, mp, region, out.Messages)
	}
}

func (m *mappings) deliver(ctx context.Context, mp *mapping, region string, msgs []sqstypes.Message) {
	payload, err := json.Marshal(sqsEvent(msgs, mp.QueueARN, region))
	if err != nil {
		m.e.logger.Error("sqs event", "err", err)
		return
	}
	m.e.stats.add("", "lambda", "Invoke")
	out, _, err := m.e.functions.invoke(ctx, mp.FunctionARN, payload, "")
	m.mu.Lock()
	mp.Invocations++
	m.mu.Unlock()
	if err != nil {
		m.e.logger.Error("sqs mapping invoke", "function", mp.FunctionARN, "err", err)
		m.count(mp, 0, len(msgs))
		return
	}
	if out.ErrorType != "" {
		m.e.logger.Warn("sqs batch failed", "function", mp.FunctionARN, "errorType", out.ErrorType, "messages", len(msgs))
		m.count(mp, 0, len(msgs))
		return
	}
	keep := map[string]bool{}
	if mp.ReportBatchItemFailures {
		var err error
		keep, err = failedItems(out.Payload, msgs)
		if err != nil {
			m.e.logger.Warn("sqs batch response", "function", mp.FunctionARN, "err", err)
			m.count(mp, 0, len(msgs))
			return
		}
	}
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for _, msg := range msgs {
		if !keep[aws.ToString(msg.MessageId)] {
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: msg.MessageId, ReceiptHandle: msg.ReceiptHandle})
		}
	}
	if len(entries) > 0 {
		res, err := m.e.sqs.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(mp.QueueURL), Entries: entries})
		if err != nil {
			m.e.logger.Error("delete messages", "queue", mp.QueueARN, "err", err)
		} else if len(res.Failed) > 0 {
			m.e.logger.Error("delete messages", "queue", mp.QueueARN, "failed", len(res.Failed))
		}
	}
	m.count(mp, len(entries), len(msgs)-len(entries))
}

func (m *mappings) count(mp *mapping, deleted, failed int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mp.Deleted += deleted
	mp.Failed += failed
}

// failedItems reads an events.SQSEventResponse. As in Lambda, a response
// naming a message that was not in the batch fails the whole batch.
func failedItems(payload []byte, msgs []sqstypes.Message) (map[string]bool, error) {
	keep := map[string]bool{}
	trimmed := strings.TrimSpace(string(payload))
	if trimmed == "" || trimmed == "null" {
		return keep, nil
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return nil, fmt.Errorf("batch item failures: %w", err)
	}
	inBatch := map[string]bool{}
	for _, msg := range msgs {
		inBatch[aws.ToString(msg.MessageId)] = true
	}
	for _, f := range resp.BatchItemFailures {
		if !inBatch[f.ItemIdentifier] {
			return nil, fmt.Errorf("batch item failure %q names no message of the batch", f.ItemIdentifier)
		}
		keep[f.ItemIdentifier] = true
	}
	return keep, nil
}

// sqsEvent builds the event Lambda's SQS poller sends.
func sqsEvent(msgs []sqstypes.Message, queueARN, region string) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, 0, len(msgs))}
	for _, msg := range msgs {
		attrs := map[string]string{}
		for k, v := range msg.Attributes {
			attrs[k] = v
		}
		mattrs := map[string]events.SQSMessageAttribute{}
		for k, v := range msg.MessageAttributes {
			mattrs[k] = events.SQSMessageAttribute{
				StringValue:      v.StringValue,
				BinaryValue:      v.BinaryValue,
				StringListValues: orEmpty(v.StringListValues),
				BinaryListValues: orEmptyBytes(v.BinaryListValues),
				DataType:         aws.ToString(v.DataType),
			}
		}
		body, md5OfBody := aws.ToString(msg.Body), aws.ToString(msg.MD5OfBody)
		if fixed, ok := fixS3Event(body); ok {
			body, md5OfBody = fixed, md5Hex(fixed)
		}
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId:              aws.ToString(msg.MessageId),
			ReceiptHandle:          aws.ToString(msg.ReceiptHandle),
			Body:                   body,
			Md5OfBody:              md5OfBody,
			Md5OfMessageAttributes: aws.ToString(msg.MD5OfMessageAttributes),
			Attributes:             attrs,
			MessageAttributes:      mattrs,
			EventSourceARN:         queueARN,
			EventSource:            "aws:sqs",
			AWSRegion:              region,
		})
	}
	return ev
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyBytes(b [][]byte) [][]byte {
	if b == nil {
		return [][]byte{}
	}
	return b
}

func (m *mappings) snapshot() []mapping {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]mapping, 0, len(m.adopted))
	for _, mp := range m.adopted {
		cp := *mp
		cp.cancel = nil
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b mapping) int { return strings.Compare(a.UUID, b.UUID) })
	return out
}

func (m *mappings) loadAdopted() map[string]bool {
	known := map[string]bool{}
	data, err := os.ReadFile(m.file)
	if err != nil {
		return known
	}
	var ids []string
	if json.Unmarshal(data, &ids) == nil {
		for _, id := range ids {
			known[id] = true
		}
	}
	return known
}

func (m *mappings) saveAdopted() error {
	m.mu.Lock()
	ids := make([]string, 0, len(m.adopted))
	for id := range m.adopted {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	slices.Sort(ids)
	data, _ := json.Marshal(ids)
	if err := os.MkdirAll(filepath.Dir(m.file), 0o755); err != nil {
		return fmt.Errorf("save adopted mappings: %w", err)
	}
	if err := os.WriteFile(m.file, data, 0o644); err != nil {
		return fmt.Errorf("save adopted mappings: %w", err)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
