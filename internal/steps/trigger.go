package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

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
	obj := crm.NewObject(key, rec.S3.Object.VersionID, rec.S3.Object.ETag)
	id, created, err := t.job(ctx, bucket, up, obj)
	if err != nil {
		return err
	}
	log := t.Log.With("tenant", up.Tenant, "importId", id, "step", "trigger")
	if id == "" {
		return nil
	}
	started, err := t.Workflow.Start(ctx, id, State{
		ImportID: id, Tenant: up.Tenant, Bucket: bucket, Key: key, Version: obj.Version, ETag: obj.ETag, Entity: up.Entity,
	})
	if err != nil {
		return fmt.Errorf("start import %s for s3://%s/%s: %w", id, bucket, key, err)
	}
	log.Info("import received", "key", key, "size", rec.S3.Object.Size, "newJob", created, "started", started)
	return nil
}

// job finds the import an object is for. An upload the API signed
// (incoming/{tenant}/{entity}/{importId}/{file}, with a job of that id
// waiting UPLOADING for that key) takes that job over; a second upload to
// the same key after it is logged and ignored (id ""): the first one is
// the import. Anything else is a drop, whose job is created under an id
// derived from the object.
func (t *Trigger) job(ctx context.Context, bucket string, up crm.Upload, obj crm.Object) (id string, created bool, err error) {
	if want, ok := apiImportID(obj.Key); ok {
		j, err := t.Jobs.Get(ctx, up.Tenant, want)
		switch {
		case crm.KindOf(err) == crm.NotFound:
			// Not one the API created: a drop into a folder that looks like it.
		case err != nil:
			return "", false, fmt.Errorf("read job %s for s3://%s/%s: %w", want, bucket, obj.Key, err)
		case j.Key == obj.Key:
			took, err := t.Jobs.TakeOver(ctx, up.Tenant, want, obj)
			if err != nil {
				return "", false, fmt.Errorf("take over job %s for s3://%s/%s: %w", want, bucket, obj.Key, err)
			}
			if !took {
				t.Log.Warn("ignoring a second upload to an import's key: the first one is the import",
					"tenant", up.Tenant, "importId", want, "step", "trigger", "key", obj.Key, "version", obj.Version, "etag", obj.ETag)
				return "", false, nil
			}
			return want, false, nil
		}
	}
	id = crm.ImportID(bucket, obj.Key, obj.Version, obj.ETag)
	created, err = t.Jobs.Create(ctx, crm.Job{
		Tenant: up.Tenant, ID: id, Entity: up.Entity, Bucket: bucket, Key: obj.Key, Status: crm.Received,
	})
	if err != nil {
		return "", false, fmt.Errorf("create job for s3://%s/%s: %w", bucket, obj.Key, err)
	}
	return id, created, nil
}

// apiImportID reads the import id of a key the API signs,
// incoming/{tenant}/{entity}/{importId}/{file}.
func apiImportID(key string) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(key, crm.IncomingPrefix), "/")
	if len(parts) != 4 || !importIDPattern.MatchString(parts[2]) {
		return "", false
	}
	return parts[2], true
}

// importIDPattern is the form of every import id: "imp-" and 26 hex digits.
var importIDPattern = regexp.MustCompile(`^imp-[0-9a-f]{26}$`)
