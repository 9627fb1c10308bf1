package dynamo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

var fixedNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fastBackoff keeps injected retries quick in tests.
var fastBackoff = Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 10}

func newRecords(api API, table string) *Records {
	r := NewRecords(api, table)
	r.Now = func() time.Time { return fixedNow }
	r.Backoff = fastBackoff
	return r
}

type seedRecord struct {
	tenant, user, entity string
	rec                  crm.Record
}

func seed(t *testing.T, client *dynamodb.Client, table string, recs ...seedRecord) {
	t.Helper()
	var reqs []types.WriteRequest
	for _, sr := range recs {
		item, err := attributevalue.MarshalMap(recordItem{
			PK: UserPK(sr.tenant, sr.user), SK: RecordSK(sr.entity, sr.rec.ID), Entity: sr.entity,
			ID: sr.rec.ID, Fields: sr.rec.Fields, Version: sr.rec.Version, ImportID: sr.rec.ImportID,
			UpdatedAt: "2026-01-01T00:00:00Z",
		})
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	w := &BatchWriter{API: client, Table: table}
	if err := w.Write(context.Background(), reqs); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// importUser does what the preview and apply steps do for one user: Query,
// plan, write the plan as JSON lines, stream it back into apply.Run.
func importUser(t *testing.T, r *Records, tenant, user, importID string, o plan.Options, rows []crm.Row) (apply.Result, []outcome.Row, error) {
	t.Helper()
	ctx := context.Background()
	existing, err := r.Query(ctx, tenant, user, o.Entity)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	o.ImportID, o.User = importID, user
	p, err := plan.Build(existing, rows, o)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var buf bytes.Buffer
	if err := plan.WriteOps(&buf, p.Ops); err != nil {
		t.Fatal(err)
	}
	var outcomes []outcome.Row
	res, err := apply.Run(ctx, r, apply.Input{
		Scope: crm.Scope{Tenant: tenant, User: user, Entity: o.Entity, ImportID: importID},
		Ops:   plan.NewReader(&buf), Total: p.Preview.Total(),
		Outcome: func(row outcome.Row) error { outcomes = append(outcomes, row); return nil },
	})
	return res, outcomes, err
}

// records renders the record items of a table as "pk|sk" -> "v<version>
// <import> field=value ...", so a test can state the whole expected table.
func records(t *testing.T, client *dynamodb.Client, table string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, item := range scan(t, client, table) {
		if strings.Contains(k, "#IMPORT#") {
			continue
		}
		var it recordItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			t.Fatal(err)
		}
		fields := make([]string, 0, len(it.Fields))
		for f, v := range it.Fields {
			fields = append(fields, f+"="+v)
		}
		slices.Sort(fields)
		out[k] = strings.TrimSpace(fmt.Sprintf("v%d %s %s", it.Version, it.ImportID, strings.Join(fields, " ")))
	}
	return out
}

func diffTables(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, k := range sortedKeys(want) {
		if got[k] != want[k] {
			t.Errorf("item %s = %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("item %s = %q, want no such item", k, got[k])
		}
	}
}

// faultyAPI sits between the adapter and a real client: it can hold back
// part of a batch as UnprocessedItems, answer with throttling, or crash
// after a number of batch calls, while the writes it lets through reach
// moto for real. It also counts what passes through.
type faultyAPI struct {
	API
	mu              sync.Mutex
	unprocessedNext int // calls that will write half and return the rest
	throttleNext    int // calls that will fail with throttling, writing nothing
	crashAfter      int // BatchWriteItem calls to let through before failing; 0 = never
	batchCalls      int // BatchWriteItem (and PutItem, UpdateItem) calls seen
	createdImages   int // PutItem and UpdateItem calls: images of a chunk's creates
	beforeBatches   int // of which carried before-images
	recordBatches   int // of which carried records
	queryCalls      int
}

var errCrash = errors.New("injected crash: the Lambda died")

func (f *faultyAPI) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.mu.Lock()
	f.queryCalls++
	f.mu.Unlock()
	return f.API.Query(ctx, in, opts...)
}

func (f *faultyAPI) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	f.batchCalls++
	for _, reqs := range in.RequestItems {
		if len(reqs) > 0 && reqs[0].PutRequest != nil && strings.Contains(s(reqs[0].PutRequest.Item["pk"]), "#IMPORT#") {
			f.beforeBatches++
		} else {
			f.recordBatches++
		}
	}
	if f.crashAfter > 0 && f.batchCalls > f.crashAfter {
		f.mu.Unlock()
		return nil, errCrash
	}
	if f.throttleNext > 0 {
		f.throttleNext--
		f.mu.Unlock()
		return nil, &types.ProvisionedThroughputExceededException{Message: ptr("injected throttling")}
	}
	hold := f.unprocessedNext > 0
	if hold {
		f.unprocessedNext--
	}
	f.mu.Unlock()
	if !hold {
		return f.API.BatchWriteItem(ctx, in, opts...)
	}
	sent := map[string][]types.WriteRequest{}
	held := map[string][]types.WriteRequest{}
	for table, reqs := range in.RequestItems {
		half := (len(reqs) + 1) / 2
		sent[table], held[table] = reqs[:half], reqs[half:]
	}
	out, err := f.API.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: sent}, opts...)
	if err != nil {
		return nil, err
	}
	for table, reqs := range held {
		if len(reqs) > 0 {
			if out.UnprocessedItems == nil {
				out.UnprocessedItems = map[string][]types.WriteRequest{}
			}
			out.UnprocessedItems[table] = append(out.UnprocessedItems[table], reqs...)
		}
	}
	return out, nil
}

// PutItem is the first write of a chunk's created image, UpdateItem a
// retried chunk's: each counts, and crashes, as a batch of before-images
// does.
func (f *faultyAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f.createdImage() {
		return nil, errCrash
	}
	return f.API.PutItem(ctx, in, opts...)
}

func (f *faultyAPI) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if f.createdImage() {
		return nil, errCrash
	}
	return f.API.UpdateItem(ctx, in, opts...)
}

// createdImage counts a write of a created image and says whether it
// crashes.
func (f *faultyAPI) createdImage() (crash bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batchCalls++
	f.createdImages++
	return f.crashAfter > 0 && f.batchCalls > f.crashAfter
}

// imaged are the sort keys of the records a table's before-images name
// ("BEFORE#{user}#{ENTITY}#{id}"), an image of a chunk's creates naming
// each of its IDs.
func imaged(items map[string]map[string]types.AttributeValue) map[string]bool {
	out := map[string]bool{}
	for k, item := range items {
		_, sk, ok := strings.Cut(k, "|")
		if !ok || !strings.Contains(k, "#IMPORT#") {
			continue
		}
		ids, created := item["ids"].(*types.AttributeValueMemberSS)
		if !created {
			out[sk] = true
			continue
		}
		prefix := BeforeSK(s(item["user"]), s(item["entity"]), "")
		for _, id := range ids.Value {
			out[prefix+id] = true
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
