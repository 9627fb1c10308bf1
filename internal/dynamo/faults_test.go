package dynamo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

// bulkScenario seeds 300 of Anna's customers (and one of Ben's) and plans
// an update with deletion: 200 rows update, 200 create, 100 records are
// deleted — 500 writes, five chunks.
func bulkScenario(t *testing.T, client *dynamodb.Client, table string) *plan.Plan {
	t.Helper()
	recs := []seedRecord{{"acme", "ben", "customer", crm.Record{ID: "b1", Version: 1, Fields: map[string]string{"customer_no": "1"}}}}
	for i := 1; i <= 300; i++ {
		recs = append(recs, seedRecord{"acme", "anna", "customer", crm.Record{ID: fmt.Sprintf("e%04d", i), Version: int64(i%5 + 1),
			Fields: map[string]string{"customer_no": fmt.Sprint(i), "name": fmt.Sprintf("Kunde %d", i), "phone": "+4930"}}})
	}
	seed(t, client, table, recs...)
	var rows []crm.Row
	for i := 1; i <= 400; i++ {
		rows = append(rows, row(i+1, "customer_no", fmt.Sprint(i+100), "phone", fmt.Sprintf("+4917%04d", i)))
	}
	existing, err := newRecords(client, table).Query(context.Background(), "acme", "anna", "customer")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(existing, rows, plan.Options{ImportID: "imp", User: "anna", Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Preview; s.Updates != 200 || s.Creates != 200 || s.Deletes != 100 {
		t.Fatalf("scenario plan = %d updates, %d creates, %d deletes, want 200, 200, 100", s.Updates, s.Creates, s.Deletes)
	}
	return p
}

// anna is the scope of the bulk scenario.
var anna = crm.Scope{Tenant: "acme", User: "anna", Entity: "customer", ImportID: "imp"}

func applyPlan(r *Records, p *plan.Plan) (apply.Result, error) {
	return apply.Run(context.Background(), r, apply.Input{Scope: anna, Ops: plan.Ops(p.Ops), Total: p.Preview.Total()})
}

// faultFree runs the bulk scenario without faults and returns the whole
// table (records and before-images) and the result.
func faultFree(t *testing.T) (map[string]map[string]types.AttributeValue, apply.Result) {
	t.Helper()
	client, table, _ := newTable(t)
	p := bulkScenario(t, client, table)
	res, err := applyPlan(newRecords(client, table), p)
	if err != nil {
		t.Fatalf("fault-free apply.Run() error = %v", err)
	}
	return scan(t, client, table), res
}

func sameTable(t *testing.T, got, want map[string]map[string]types.AttributeValue) {
	t.Helper()
	for _, k := range sortedKeys(want) {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("item %s differs from the fault-free run:\n got %v\nwant %v", k, got[k], want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("item %s is not in the fault-free run", k)
		}
	}
}

func TestApplyRetriesUnprocessedItemsAndThrottling(t *testing.T) {
	want, wantRes := faultFree(t)
	client, table, _ := newTable(t)
	p := bulkScenario(t, client, table)
	f := &faultyAPI{API: client, unprocessedNext: 12, throttleNext: 3}
	res, err := applyPlan(newRecords(f, table), p)
	if err != nil {
		t.Fatalf("apply.Run() error = %v", err)
	}
	if res != wantRes {
		t.Errorf("apply.Run() = %+v, want %+v", res, wantRes)
	}
	if f.unprocessedNext != 0 || f.throttleNext != 0 {
		t.Errorf("faults left unused: %d unprocessed, %d throttled", f.unprocessedNext, f.throttleNext)
	}
	sameTable(t, scan(t, client, table), want)
	t.Logf("with 12 partial batches and 3 throttled calls: %d BatchWriteItem calls", f.batchCalls)
}

func TestApplyCrashThenRetry(t *testing.T) {
	want, wantRes := faultFree(t)
	// The creates sort first: the first two chunks write their created
	// image (1 UpdateItem) then their records (4 calls); the other three
	// their before-images (4 calls) then their records (4 calls), 34 in
	// all. These crash points fall between images and records, inside a
	// chunk's records, at a created image, inside a chunk's images, and in
	// the last chunk.
	for _, crashAfter := range []int{1, 4, 5, 8, 12, 21, 33} {
		t.Run(fmt.Sprintf("crash after %d batch calls", crashAfter), func(t *testing.T) {
			client, table, _ := newTable(t)
			p := bulkScenario(t, client, table)
			_, err := applyPlan(newRecords(&faultyAPI{API: client, crashAfter: crashAfter}, table), p)
			if !errors.Is(err, errCrash) {
				t.Fatalf("apply.Run() with a crash error = %v, want the crash", err)
			}
			// At the crash, every change already made has its before-image.
			after := scan(t, client, table)
			images := imaged(after)
			for k, item := range after {
				if strings.Contains(k, "#IMPORT#") || s(item["import_id"]) != "imp" {
					continue
				}
				if !images["BEFORE#anna#"+strings.TrimPrefix(k, "T#acme#U#anna|")] {
					t.Errorf("record %s changed without a before-image", k)
				}
			}
			for i := 1; i <= 100; i++ { // the records planned for deletion
				id := fmt.Sprintf("CUSTOMER#e%04d", i)
				_, kept := after["T#acme#U#anna|"+id]
				if !kept && !images["BEFORE#anna#"+id] {
					t.Errorf("record %s deleted without a before-image", id)
				}
			}
			// Step Functions retries the step: the same plan, from the start.
			f := &faultyAPI{API: client}
			res, err := applyPlan(newRecords(f, table), p)
			if err != nil {
				t.Fatalf("retried apply.Run() error = %v", err)
			}
			// The first call is the first chunk's created image.
			if crashAfter > 1 && res.AlreadyApplied == 0 {
				t.Errorf("retried apply.Run().AlreadyApplied = 0, want the writes of the first attempt recognised")
			}
			res.AlreadyApplied = wantRes.AlreadyApplied
			if res != wantRes {
				t.Errorf("retried apply.Run() = %+v, want %+v", res, wantRes)
			}
			sameTable(t, scan(t, client, table), want)
		})
	}
}

func TestApplyTwiceWritesNothingMore(t *testing.T) {
	client, table, _ := newTable(t)
	p := bulkScenario(t, client, table)
	if _, err := applyPlan(newRecords(client, table), p); err != nil {
		t.Fatal(err)
	}
	before := scan(t, client, table)
	f := &faultyAPI{API: client}
	res, err := applyPlan(newRecords(f, table), p)
	if err != nil {
		t.Fatal(err)
	}
	if f.batchCalls != 0 {
		t.Errorf("second apply.Run() made %d BatchWriteItem calls, want 0", f.batchCalls)
	}
	if res.AlreadyApplied != 500 || res.Conflicts != 0 {
		t.Errorf("second apply.Run() = %+v, want 500 already applied and no conflict", res)
	}
	sameTable(t, scan(t, client, table), before)
}

func TestBatchWriterErrors(t *testing.T) {
	item := func(i int) types.WriteRequest {
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "T#x#U#y"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("CUSTOMER#%d", i)},
		}}}
	}
	var reqs []types.WriteRequest
	for i := range 30 {
		reqs = append(reqs, item(i))
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		unprocessed int
		throttled   int
		reqs        []types.WriteRequest
		wantKind    crm.Kind
		wantAs      any   // a cause the error keeps, for the logs
		wantIs      error // or one it is
	}{
		{"items left unprocessed past the attempts", context.Background(), 1000, 0, reqs, crm.Unavailable, new(*UnprocessedError), nil},
		{"throttled past the attempts", context.Background(), 0, 1000, reqs, crm.Unavailable, new(*types.ProvisionedThroughputExceededException), nil},
		{"context ended while waiting", cancelled, 0, 1000, reqs, crm.Unavailable, nil, context.Canceled},
		{"a bad item is internal", context.Background(), 0, 0, []types.WriteRequest{{PutRequest: &types.PutRequest{
			Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "only a pk"}}}}}, crm.Internal, new(smithy.APIError), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, table, _ := newTable(t)
			f := &faultyAPI{API: client, unprocessedNext: tt.unprocessed, throttleNext: tt.throttled}
			w := &BatchWriter{API: f, Table: table, Backoff: Backoff{Base: 1, Max: 2, Attempts: 4}}
			err := w.Write(tt.ctx, tt.reqs)
			if got := crm.KindOf(err); got != tt.wantKind {
				t.Errorf("Write() error = %v (kind %q), want kind %q", err, got, tt.wantKind)
			}
			if tt.wantAs != nil && !errors.As(err, tt.wantAs) {
				t.Errorf("Write() error = %T %v, want a %T in the chain", err, err, tt.wantAs)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Write() error = %v, want %v in the chain", err, tt.wantIs)
			}
		})
	}
}

// DynamoDB's errors get their kind at the boundary, once, keep the whole
// message for the logs, and keep their kind when a caller wraps them with
// its context.
func TestSDKErrorsKeepTheirKindThroughWrapping(t *testing.T) {
	ended := crm.Errorf(crm.Conflict, "import imp-1 has already ended or does not exist")
	tests := []struct {
		name string
		err  error
		want crm.Kind
	}{
		{"throttling", &types.ProvisionedThroughputExceededException{Message: ptr("slow down")}, crm.Unavailable},
		{"a throttled request", &smithy.GenericAPIError{Code: "ThrottlingException"}, crm.Unavailable},
		{"a service hiccup", &smithy.GenericAPIError{Code: "InternalServerError"}, crm.Unavailable},
		{"the Lambda's time running out", fmt.Errorf("operation error DynamoDB: Query: %w", context.DeadlineExceeded), crm.Unavailable},
		{"items left unprocessed", &UnprocessedError{Items: 3, Attempts: 10}, crm.Unavailable},
		{"a bad request", &smithy.GenericAPIError{Code: "ValidationException", Message: "Item size has exceeded the maximum allowed size"}, crm.Internal},
		{"a missing table", &types.ResourceNotFoundException{Message: ptr("no table")}, crm.Internal},
		{"a kind given already", ended, crm.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fmt.Errorf("apply anna: %w", fromSDK(fmt.Errorf("batch write to crm: %w", tt.err)))
			if got := crm.KindOf(err); got != tt.want {
				t.Errorf("KindOf(%v) = %q, want %q", err, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.err.Error()) {
				t.Errorf("error = %q, want the whole message of %q", err, tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error = %v, want the cause %v kept", err, tt.err)
			}
		})
	}
}

func TestApplyReportsProgressAndEveryOutcome(t *testing.T) {
	client, table, _ := newTable(t)
	p := bulkScenario(t, client, table)
	var progress [][2]int
	outcomes := 0
	_, err := apply.Run(context.Background(), newRecords(client, table), apply.Input{
		Scope: anna, Ops: plan.Ops(p.Ops), Total: p.Preview.Total(),
		Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) },
		Outcome:  func(outcome.Row) error { outcomes++; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if outcomes != p.Preview.Total() {
		t.Errorf("%d outcomes, want one per row and delete: %d", outcomes, p.Preview.Total())
	}
	if len(progress) < 5 {
		t.Errorf("progress reported %d times, want at least once per chunk (5)", len(progress))
	}
	for i, pr := range progress {
		if pr[1] != 500 || (i > 0 && pr[0] < progress[i-1][0]) {
			t.Errorf("progress %v, want done rising towards total 500", progress)
			break
		}
	}
	if last := progress[len(progress)-1]; last[0] != 500 {
		t.Errorf("last progress = %v, want 500 of 500", last)
	}
}
