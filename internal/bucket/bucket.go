// Package bucket stores the pipeline's files in S3: tenants' uploads and the
// work files that steps hand each other by key.
package bucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

var _ crm.Files = (*Bucket)(nil)

// Client is the part of the S3 API the bucket uses.
type Client interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// Bucket is one S3 bucket.
type Bucket struct {
	client Client
	name   string
}

// New returns the bucket called name.
func New(client Client, name string) *Bucket { return &Bucket{client: client, name: name} }

// Open streams an object. A missing object is a NotFound failure.
func (b *Bucket) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.name, Key: &key})
	if err != nil {
		return nil, asFailure(fmt.Errorf("get s3://%s/%s: %w", b.name, key, err), key)
	}
	return out.Body, nil
}

// Stat reads the size and user metadata (x-amz-meta-*) of one version of
// an upload with one HeadObject, without a byte of its body.
func (b *Bucket) Stat(ctx context.Context, obj crm.Object) (crm.FileInfo, error) {
	in := &s3.HeadObjectInput{Bucket: &b.name, Key: &obj.Key}
	in.VersionId, in.IfMatch = pinned(obj)
	out, err := b.client.HeadObject(ctx, in)
	if err != nil {
		return crm.FileInfo{}, asUploadFailure(fmt.Errorf("head s3://%s/%s: %w", b.name, obj.Key, err), obj)
	}
	meta := out.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	return crm.FileInfo{Size: aws.ToInt64(out.ContentLength), Metadata: meta}, nil
}

// Download copies one version of an upload into a local file, so that
// readers that need random access (zip-based workbooks) can use it.
func (b *Bucket) Download(ctx context.Context, obj crm.Object, path string) error {
	in := &s3.GetObjectInput{Bucket: &b.name, Key: &obj.Key}
	in.VersionId, in.IfMatch = pinned(obj)
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		return asUploadFailure(fmt.Errorf("get s3://%s/%s: %w", b.name, obj.Key, err), obj)
	}
	defer out.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("download %s: %w", obj.Key, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return crm.Wrap(fmt.Errorf("download %s: %w", obj.Key, err), crm.Unavailable, "the upload could not be read")
	}
	return f.Close()
}

// pinned names the version to read, and the ETag it must still have: with
// versioning the version alone pins the bytes; without it the ETag makes a
// read of a newer upload under the same key fail instead of importing it.
func pinned(obj crm.Object) (version, ifMatch *string) {
	if obj.Version != "" {
		version = aws.String(obj.Version)
	}
	if obj.ETag != "" {
		ifMatch = aws.String(`"` + obj.ETag + `"`)
	}
	return version, ifMatch
}

// asUploadFailure is asFailure for a pinned read of an upload: an object
// whose ETag no longer matches was replaced by a newer upload.
func asUploadFailure(err error, obj crm.Object) error {
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "412") {
		return crm.Wrap(err, crm.Conflict,
			"the file %s was replaced by a newer upload before it could be read; the newer upload is imported on its own", path.Base(obj.Key))
	}
	return asFailure(err, obj.Key)
}

// PutFile uploads a local file. Work files are written to a temporary file
// first so memory stays bounded whatever their size.
func (b *Bucket) PutFile(ctx context.Context, key, path, contentType string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer f.Close()
	_, err = b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &key, Body: f, ContentType: aws.String(contentType)})
	if err != nil {
		return asFailure(fmt.Errorf("put s3://%s/%s: %w", b.name, key, err), key)
	}
	return nil
}

// Put uploads a small object from memory.
func (b *Bucket) Put(ctx context.Context, key string, data []byte, contentType string) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &key, Body: bytes.NewReader(data), ContentType: aws.String(contentType)})
	if err != nil {
		return asFailure(fmt.Errorf("put s3://%s/%s: %w", b.name, key, err), key)
	}
	return nil
}

// Upload stores a file under key with the user metadata given, as a
// tenant's upload does, and returns the id of the import it starts: the
// pipeline derives the id from the object's version and ETag, which only
// the answer to the upload tells.
func (b *Bucket) Upload(ctx context.Context, key string, body io.Reader, metadata map[string]string) (importID string, err error) {
	out, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &key, Body: body, Metadata: metadata})
	if err != nil {
		return "", asFailure(fmt.Errorf("put s3://%s/%s: %w", b.name, key, err), key)
	}
	return crm.ImportID(b.name, key, aws.ToString(out.VersionId), aws.ToString(out.ETag)), nil
}

// asFailure turns an S3 error into the domain's kinds: a missing object is
// NotFound, a busy or unreachable S3 Unavailable, anything else Internal.
func asFailure(err error, key string) error {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return crm.Wrap(err, crm.NotFound, "file %s does not exist", key)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout":
			return crm.Wrap(err, crm.Unavailable, "file storage is busy")
		}
	}
	if errors.Is(err, context.DeadlineExceeded) ||
		retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		// Connection resets and timeouts, as the SDK's own retryer sees them.
		return crm.Wrap(err, crm.Unavailable, "file storage is busy")
	}
	return crm.Wrap(err, crm.Internal, "file storage refused a request")
}
