package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// benchItems is the size of the benchmark's export: 100,000 items, a
// tenth of them the tenant's.
const benchItems = 100_000

// files serves data files from memory: the benchmark measures decoding,
// not the emulator's S3.
type files map[string][]byte

func (f files) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out := &s3.ListObjectsV2Output{}
	for k := range f {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k)})
		}
	}
	return out, nil
}

func (f files) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(f[aws.ToString(in.Key)]))}, nil
}

// exportFile is a gzip data file of n records as DynamoDB exports them,
// every tenth one of tenant "mine", the others of "theirs".
func exportFile(n int) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := range n {
		tenant := "theirs"
		if i%10 == 0 {
			tenant = "mine"
		}
		fmt.Fprintf(zw, `{"Item":{"pk":{"S":"T#%s#U#u-%d"},"sk":{"S":"CUSTOMERS#%08d"},"id":{"S":"%08d"},"entity":{"S":"customers"},"version":{"N":"3"},"import_id":{"S":"imp-1"},"fields":{"M":{"name":{"S":"Kunde %d GmbH"},"city":{"S":"Köln"},"revenue":{"S":"1234.50"},"notes":{"S":"%s"}}}}}`+"\n",
			tenant, i%7, i, i, i, strings.Repeat("x", 200))
	}
	zw.Close()
	return buf.Bytes()
}

// BenchmarkRecords reads the tenant's records of a 100,000-item export,
// reported as a ratio to gunzipping and JSON-decoding the same file into
// raw messages in the same run (the floor any reader pays), with the peak
// of the heap in use while it reads beside the file's unpacked size.
func BenchmarkRecords(b *testing.B) {
	data := exportFile(benchItems)
	f := files{"restore-points/mine/imp/AWSDynamoDB/01/data/a.json.gz": data}
	ctx := context.Background()

	start := time.Now()
	zr, _ := gzip.NewReader(bytes.NewReader(data))
	dec := json.NewDecoder(zr)
	unpacked := 0
	for {
		var line map[string]json.RawMessage
		if err := dec.Decode(&line); err != nil {
			break
		}
		unpacked += len(line["Item"])
	}
	baseline := time.Since(start)

	r := NewReader(f, "bucket")
	var peak atomic.Uint64
	b.ResetTimer()
	for range b.N {
		n := 0
		for _, err := range r.Records(ctx, "restore-points/mine/imp", "mine") {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%5000 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
		if n != benchItems/10 {
			b.Fatalf("Records yielded %d items, want %d", n, benchItems/10)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(baseline), "x-rawdecode")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(unpacked)/(1<<20), "export-MiB")
}
