package bucket

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/crmimport/crm-import/internal/crm"
)

var _ crm.Uploads = (*Uploads)(nil)

// Uploads signs presigned POSTs to the bucket (S3's browser-based upload):
// the tenant's file goes straight to S3, under a policy that fixes its key,
// its size range and its metadata.
type Uploads struct {
	presign *s3.PresignClient
	name    string
	now     func() time.Time
}

// NewUploads returns the presigner of the bucket called name.
func NewUploads(client *s3.Client, name string) *Uploads {
	return &Uploads{presign: s3.NewPresignClient(client), name: name, now: time.Now}
}

// PresignUpload signs a POST of one file under u.Key. Every field the form
// sends is fixed by a condition of the policy (S3 refuses a form field no
// condition covers), so the tenant cannot change the key, the size range
// or the metadata the trigger reads.
func (b *Uploads) PresignUpload(ctx context.Context, u crm.UploadRequest) (crm.UploadForm, error) {
	conditions := []any{
		[]any{"eq", "$key", u.Key},
		[]any{"content-length-range", 0, u.MaxBytes},
	}
	fields := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(u.Metadata)) {
		field := "x-amz-meta-" + name
		conditions = append(conditions, []any{"eq", "$" + field, u.Metadata[name]})
		fields[field] = u.Metadata[name]
	}
	expiresAt := b.now().Add(u.Expires).UTC().Truncate(time.Second)
	req, err := b.presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.name), Key: aws.String(u.Key)},
		func(o *s3.PresignPostOptions) {
			o.Expires = u.Expires
			o.Conditions = conditions
		})
	if err != nil {
		return crm.UploadForm{}, crm.Wrap(fmt.Errorf("presign upload of s3://%s/%s: %w", b.name, u.Key, err), crm.Internal, crm.InternalMessage)
	}
	maps.Copy(fields, req.Values)
	return crm.UploadForm{URL: req.URL, Fields: fields, ExpiresAt: expiresAt}, nil
}

// PresignDownload signs a GET of the object at key that saves it as
// fileName (Content-Disposition: attachment), for a browser or the CLI to
// download without the API in the way: a file of any size, where an API
// answer holds 6 MB at most.
func (b *Uploads) PresignDownload(ctx context.Context, key, fileName string, expires time.Duration) (string, time.Time, error) {
	expiresAt := b.now().Add(expires).UTC().Truncate(time.Second)
	disposition := fmt.Sprintf(`attachment; filename="%s"`, strings.ReplaceAll(fileName, `"`, ""))
	req, err := b.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(key),
		ResponseContentDisposition: aws.String(disposition)}, s3.WithPresignExpires(expires))
	if err != nil {
		return "", time.Time{}, crm.Wrap(fmt.Errorf("presign download of s3://%s/%s: %w", b.name, key, err), crm.Internal, crm.InternalMessage)
	}
	return req.URL, expiresAt, nil
}
