package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/restore"
)

// restoreBenchUsers share the benchmark's 100,000 items.
const restoreBenchUsers = 10

// memoryDB is DynamoDB as far as a restore and the batch writer use it,
// in memory: Query by partition in pages of 1,000 ordered by sort key,
// BatchWriteItem, and TransactWriteItems with the conditions undo writes
// (absent, or at a version). The benchmark measures the restore's own
// work and calls, not an emulator: moto copies the whole table for every
// transaction, which would make 4,000 of them say nothing of DynamoDB.
type memoryDB struct {
	// lean keeps of a transaction's put over an item only its version and
	// import: the benchmark's table would otherwise hold the items the
	// restore wrote beside the originals, and the heap measured would be
	// the table's.
	lean  bool
	mu    sync.Mutex
	parts map[string]map[string]map[string]types.AttributeValue // pk, then sk
	calls map[string]int
}

func newMemoryDB() *memoryDB {
	return &memoryDB{parts: map[string]map[string]map[string]types.AttributeValue{}, calls: map[string]int{}}
}

func keysOf(item map[string]types.AttributeValue) (string, string) {
	return item["pk"].(*types.AttributeValueMemberS).Value, item["sk"].(*types.AttributeValueMemberS).Value
}

func (db *memoryDB) get(item map[string]types.AttributeValue) (map[string]types.AttributeValue, bool) {
	pk, sk := keysOf(item)
	it, ok := db.parts[pk][sk]
	return it, ok
}

func (db *memoryDB) put(item map[string]types.AttributeValue) {
	pk, sk := keysOf(item)
	if db.parts[pk] == nil {
		db.parts[pk] = map[string]map[string]types.AttributeValue{}
	}
	db.parts[pk][sk] = item
}

func (db *memoryDB) delete(key map[string]types.AttributeValue) {
	pk, sk := keysOf(key)
	delete(db.parts[pk], sk)
}

func (db *memoryDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.calls["Query"]++
	pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value
	part := db.parts[pk]
	keys := make([]string, 0, len(part))
	for sk := range part {
		keys = append(keys, sk)
	}
	slices.Sort(keys)
	if lo, ok := in.ExpressionAttributeValues[":lo"].(*types.AttributeValueMemberS); ok {
		hi := in.ExpressionAttributeValues[":hi"].(*types.AttributeValueMemberS)
		keys = slices.DeleteFunc(keys, func(k string) bool { return k < lo.Value || k > hi.Value })
	}
	if in.ExclusiveStartKey != nil {
		_, after := keysOf(in.ExclusiveStartKey)
		keys = keys[sort.SearchStrings(keys, after+"\x00"):]
	}
	out := &dynamodb.QueryOutput{}
	for _, k := range keys[:min(len(keys), 1000)] {
		out.Items = append(out.Items, part[k])
	}
	if len(keys) > 1000 {
		last := part[keys[999]]
		out.LastEvaluatedKey = map[string]types.AttributeValue{"pk": last["pk"], "sk": last["sk"]}
	}
	return out, nil
}

func (db *memoryDB) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.calls["BatchWriteItem"]++
	for _, reqs := range in.RequestItems {
		for _, r := range reqs {
			switch {
			case r.PutRequest != nil:
				db.put(r.PutRequest.Item)
			case r.DeleteRequest != nil:
				db.delete(r.DeleteRequest.Key)
			}
		}
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

// UpdateItem is not asked of the restore: the benchmark's writes are the
// restore's transactions and the batch writer's puts.
func (db *memoryDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, errors.New("memoryDB: UpdateItem is not part of the benchmark")
}

// PutItem is not asked of the restore either (apply's image of a chunk's
// creates is).
func (db *memoryDB) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, errors.New("memoryDB: PutItem is not part of the benchmark")
}

func (db *memoryDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.calls["TransactWriteItems"]++
	reasons := make([]types.CancellationReason, len(in.TransactItems))
	failed := false
	holds := func(key map[string]types.AttributeValue, values map[string]types.AttributeValue) bool {
		now, ok := db.get(key)
		v, versioned := values[":v"].(*types.AttributeValueMemberN)
		if !versioned {
			return !ok
		}
		cur, _ := now["version"].(*types.AttributeValueMemberN)
		return ok && cur != nil && cur.Value == v.Value
	}
	for i, it := range in.TransactItems {
		var ok bool
		if it.Put != nil {
			ok = holds(it.Put.Item, it.Put.ExpressionAttributeValues)
		} else {
			ok = holds(it.Delete.Key, it.Delete.ExpressionAttributeValues)
		}
		if !ok {
			reasons[i].Code, failed = aws.String("ConditionalCheckFailed"), true
		}
	}
	if failed {
		return nil, &types.TransactionCanceledException{CancellationReasons: reasons}
	}
	for _, it := range in.TransactItems {
		switch {
		case it.Put == nil:
			db.delete(it.Delete.Key)
		case db.lean:
			if now, ok := db.get(it.Put.Item); ok {
				now["version"], now["import_id"] = it.Put.Item["version"], it.Put.Item["import_id"]
				continue
			}
			db.put(it.Put.Item)
		default:
			db.put(it.Put.Item)
		}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

// diskFiles keeps work files in a local folder, as S3 would, not in memory.
type diskFiles struct{ dir string }

func (f diskFiles) path(key string) string { return filepath.Join(f.dir, filepath.FromSlash(key)) }

func (f diskFiles) Open(_ context.Context, key string) (io.ReadCloser, error) {
	return os.Open(f.path(key))
}

func (f diskFiles) Download(context.Context, crm.Object, string) error {
	return errors.New("not a bucket of uploads")
}

func (f diskFiles) Stat(context.Context, crm.Object) (crm.FileInfo, error) {
	return crm.FileInfo{}, errors.New("not a bucket of uploads")
}

func (f diskFiles) PutFile(_ context.Context, key, path, _ string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return f.Put(context.Background(), key, data, "")
}

func (f diskFiles) Put(_ context.Context, key string, data []byte, _ string) error {
	if err := os.MkdirAll(filepath.Dir(f.path(key)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(f.path(key), data, 0o644)
}

// restoreExport is a gzip export of n records of tenant "mine" over
// restoreBenchUsers users, and a tenth as many of "theirs".
func restoreExport(n int) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	line := func(tenant string, i int) {
		fmt.Fprintf(zw, `{"Item":{"pk":{"S":"T#%s#U#u-%d"},"sk":{"S":"CUSTOMERS#%08d"},"id":{"S":"%08d"},"entity":{"S":"customers"},"version":{"N":"3"},"import_id":{"S":"imp-1"},"fields":{"M":{"name":{"S":"Kunde %d GmbH"},"city":{"S":"Köln"},"revenue":{"S":"1234.50"},"notes":{"S":"%s"}}}}}`+"\n",
			tenant, i%restoreBenchUsers, i, i, i, strings.Repeat("x", 200))
	}
	for i := range n {
		line("mine", i)
	}
	for i := range n / 10 {
		line("theirs", i)
	}
	zw.Close()
	return buf.Bytes()
}

// pointItems decodes the tenant's items of the export, as the batch
// writer's baseline writes them.
func pointItems(b *testing.B, r *Reader, prefix string) []types.WriteRequest {
	var reqs []types.WriteRequest
	for item, err := range r.Records(context.Background(), prefix, "mine") {
		if err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	return reqs
}

// changedSince is the table after an import changed every one of the
// tenant's records: each is put back by the restore.
func changedSince(reqs []types.WriteRequest) *memoryDB {
	db := newMemoryDB()
	for _, r := range reqs {
		item := make(map[string]types.AttributeValue, len(r.PutRequest.Item))
		for k, v := range r.PutRequest.Item {
			item[k] = v
		}
		item["version"] = &types.AttributeValueMemberN{Value: "4"}
		item["import_id"] = &types.AttributeValueMemberS{Value: "imp-2"}
		db.put(item)
	}
	return db
}

// BenchmarkRestore restores 100,000 items from an export (plan: the
// export streamed once, each user's records read page by page; act: 4,000
// conditional transactions of 25), reported as a ratio to writing the
// same 100,000 items with the batch writer (4,000 BatchWriteItem calls) in
// the same run, with the peak of the live heap the restore added over the
// heap live before it (the in-memory table's own items not counted).
func BenchmarkRestore(b *testing.B) {
	const prefix = "restore-points/mine/imp-2"
	ctx := context.Background()
	f := files{prefix + "/AWSDynamoDB/01/data/a.json.gz": restoreExport(benchItems)}
	reader := NewReader(f, "bucket")
	reqs := pointItems(b, reader, prefix)
	if len(reqs) != benchItems {
		b.Fatalf("the export holds %d of the tenant's items, want %d", len(reqs), benchItems)
	}
	users := make([]string, restoreBenchUsers)
	for i := range users {
		users[i] = "u-" + strconv.Itoa(i)
	}

	// The baseline is short and the machine shared: its best of three.
	baseline := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		w := &dynamo.BatchWriter{API: newMemoryDB(), Table: "t"}
		if err := w.Write(ctx, reqs); err != nil {
			b.Fatal(err)
		}
		baseline = min(baseline, time.Since(start))
	}

	var peak atomic.Uint64
	var ratio float64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		db := changedSince(reqs)
		db.lean = true
		dir := b.TempDir()
		work := diskFiles{dir: filepath.Join(dir, "bucket")}
		store := &Store{Records: dynamo.NewRecords(db, "t")}
		restores := crmtest.NewRestores()
		r := crm.Restore{Tenant: "mine", ID: fmt.Sprintf("rst-%d", i), Point: "imp-2", Prefix: prefix, Status: crm.RestoreRestoring}
		if err := restores.CreateRestore(ctx, r); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		settled := liveHeap()
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if live := liveHeap(); live > settled && live-settled > peak.Load() {
					peak.Store(live - settled)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()

		began := time.Now()
		planner := &restore.Planner{Points: &Points{Reader: reader}, Store: store, Files: work, TempDir: dir}
		plan, err := planner.Plan(ctx, r, users)
		if err != nil {
			b.Fatal(err)
		}
		actor := &restore.Actor{Store: store, Files: work, Leases: crmtest.NewLeases(), Restores: restores}
		p, err := actor.Act(ctx, r, plan, restore.Progress{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(began)

		b.StopTimer()
		close(stop)
		<-sampled
		if plan.PutBack != benchItems || p.Done != benchItems || p.Changed != 0 {
			b.Fatalf("restore = %+v after a plan of %+v, want all %d put back", p, plan.RestoreCounts, benchItems)
		}
		if n := db.calls["TransactWriteItems"]; n != benchItems/restore.BatchSize {
			b.Fatalf("restore made %d TransactWriteItems, want %d", n, benchItems/restore.BatchSize)
		}
		ratio = float64(took) / float64(baseline)
		b.StartTimer()
	}
	b.ReportMetric(ratio, "x-batchwriter")
	b.ReportMetric(float64(baseline.Milliseconds()), "batchwriter-ms")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-live-heap-MiB")
}

// liveHeap is the heap the last collection found live: what is held, not
// the garbage a collection has yet to take (which HeapInuse counts, and
// which grows with the in-memory table's size).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
