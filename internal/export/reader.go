package export

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
)

// s3Client is the part of the S3 API the reader uses.
type s3Client interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Reader reads the exports in a bucket.
type Reader struct {
	client s3Client
	bucket string
}

// NewReader reads the exports in bucket.
func NewReader(client s3Client, bucket string) *Reader {
	return &Reader{client: client, bucket: bucket}
}

// Item is one item of an export, as DynamoDB stores it.
type Item = map[string]types.AttributeValue

// Records yields the record items of tenant (pk T#{tenant}#U#...) in the
// export under prefix (a restore point's crm.RestorePoint.Prefix), one at
// a time, file by file: never another tenant's, never a job, user,
// configuration, lease or before-image item. The data files are found by
// listing {prefix}/AWSDynamoDB/ for keys under a data/ folder, which AWS
// (beside its manifests) and moto both write; a prefix with no data file
// is NotFound. A file that does not decode stops it with an Internal
// error naming the file and line.
func (r *Reader) Records(ctx context.Context, prefix, tenant string) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		keys, err := r.dataFiles(ctx, prefix)
		if err != nil {
			yield(nil, err)
			return
		}
		pkPrefix := dynamo.UserPK(tenant, "")
		mine := func(pk string) bool { return strings.HasPrefix(pk, pkPrefix) }
		for _, key := range keys {
			for item, err := range r.file(ctx, key, mine) {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}

// dataFiles lists the export's data files.
func (r *Reader) dataFiles(ctx context.Context, prefix string) ([]string, error) {
	root := strings.TrimSuffix(prefix, "/") + "/AWSDynamoDB/"
	var keys []string
	p := s3.NewListObjectsV2Paginator(r.client, &s3.ListObjectsV2Input{Bucket: &r.bucket, Prefix: &root})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, crm.Wrap(fmt.Errorf("list %s: %w", root, err), crm.Unavailable, "the restore point cannot be read now")
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if strings.Contains(strings.TrimPrefix(k, root), "/data/") && strings.HasSuffix(k, ".gz") {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, crm.Errorf(crm.NotFound, "the restore point %s has no data in the bucket", prefix)
	}
	return keys, nil
}

// file yields the items of one gzip data file of DynamoDB JSON lines
// whose partition key keep takes. The key is decoded first, so the
// other tenants' items (most of an export) are never decoded whole.
func (r *Reader) file(ctx context.Context, key string, keep func(pk string) bool) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &r.bucket, Key: &key})
		if err != nil {
			yield(nil, crm.Wrap(fmt.Errorf("get %s: %w", key, err), crm.Unavailable, "the restore point cannot be read now"))
			return
		}
		defer out.Body.Close()
		zr, err := gzip.NewReader(out.Body)
		if err != nil {
			yield(nil, crm.Wrap(fmt.Errorf("gunzip %s: %w", key, err), crm.Internal, ""))
			return
		}
		defer zr.Close()
		// A decoder, not a line scanner: it streams, and an item of
		// DynamoDB's 400 KB needs no bound on the line.
		dec := json.NewDecoder(zr)
		for n := 1; ; n++ {
			var line exportLine
			err := dec.Decode(&line)
			if errors.Is(err, io.EOF) {
				return
			}
			var item Item
			if err == nil {
				var pk struct {
					S *string `json:"S"`
				}
				raw := line.Item["pk"]
				if len(raw) == 0 {
					continue // not an item of this table's layout
				}
				if err = json.Unmarshal(raw, &pk); err == nil && (pk.S == nil || !keep(*pk.S)) {
					continue
				}
			}
			if err == nil {
				item, err = decodeItem(line.Item)
			}
			if err != nil {
				yield(nil, crm.Wrap(fmt.Errorf("read %s, item %d: %w", key, n, err), crm.Internal, ""))
				return
			}
			if !yield(item, nil) {
				return
			}
		}
	}
}
