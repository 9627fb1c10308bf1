package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

// Trigger turns S3 event notifications, delivered through SQS, into import
// workflow executions: one per uploaded object version, however often the
// event arrives.
type Trigger struct {
	// Bucket is the upload bucket. Events of other buckets are refused: the
	// steps read the upload from this bucket, whatever the event says.
	Bucket   string
	Jobs     crm.Jobs
	Workflow crm.Workflow
	Log      *slog.Logger
}

// Handle processes one SQS batch. Messages that failed for a reason that may
// pass are returned for redelivery; the rest of the batch is done.
func (t *Trigger) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, msg := range ev.Records {
		if err := t.message(ctx, msg); err != nil {
			t.Log.Error("s3 event not processed, will be redelivered", "messageId", msg.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (t *Trigger) message(ctx context.Context, msg events.SQSMessage) error {
	var s3ev s3Notification
	if err := json.Unmarshal([]byte(msg.Body), &s3ev); err != nil {
		// Not an S3 event (S3 sends an s3:TestEvent when notifications are
		// set up): nothing to import, and redelivery would not change that.
		t.Log.Warn("ignoring a message that is not an S3 event", "messageId", msg.MessageId, "error", err)
		return nil
	}
	var errs []error
	for _, rec := range s3ev.Records {
		if err := t.object(ctx, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// s3Notification is the part of an S3 event notification the trigger reads.
// events.S3Event would do, but it parses eventTime as a time, and an event
// whose time lacks a zone (moto's do) would then be lost.
type s3Notification struct {
	Records []s3Record `json:"Records"`
}

type s3Record struct {
	S3 struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"`
			Size      int64  `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
		} `json:"object"`
	} `json:"s3"`
}

func (t *Trigger) object(ctx context.Context, rec s3Record) error {
	bucket := rec.S3.Bucket.Name
	// Keys in S3 events are URL-encoded, with '+' for spaces.
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		key = rec.S3.Object.Key
	}
	if bucket != t.Bucket {
		t.Log.Error("ignoring an event of another bucket", "bucket", bucket, "key", key, "uploadBucket", t.Bucket)
		return nil
	}
	up, err := crm.ParseKey(key)
	if err != nil {
		// No tenant can be told: the object is outside any tenant's prefix.
		t.Log.Error("ignoring an object outside the tenants' upload layout", "bucket", bucket, "key", key, "error", err)
		return nil
	}
	id := crm.ImportID(bucket, key, rec.S3.Object.VersionID, rec.S3.Object.ETag)
	log := t.Log.With("tenant", up.Tenant, "importId", id, "step", "trigger")

	created, err := t.Jobs.Create(ctx, crm.Job{
		Tenant: up.Tenant, ID: id, Entity: up.Entity, Bucket: bucket, Key: key, Status: crm.Received,
	})
	if err != nil {
		return fmt.Errorf("create job for s3://%s/%s: %w", bucket, key, err)
	}
	obj := crm.NewObject(key, rec.S3.Object.VersionID, rec.S3.Object.ETag)
	started, err := t.Workflow.Start(ctx, id, State{
		ImportID: id, Tenant: up.Tenant, Bucket: bucket, Key: key, Version: obj.Version, ETag: obj.ETag, Entity: up.Entity,
	})
	if err != nil {
		return fmt.Errorf("start import %s for s3://%s/%s: %w", id, bucket, key, err)
	}
	log.Info("import received", "key", key, "size", rec.S3.Object.Size, "newJob", created, "started", started)
	return nil
}
