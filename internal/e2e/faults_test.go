package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/crmimport/crm-import/internal/cloudtest"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/outcome"
)

// The fault tests import the same generated file, each time on a fresh
// tenant: without faults, with the apply function killed at several points
// after part of its writes landed (Step Functions retries it), and with
// DynamoDB throttling and leaving items unprocessed. Each run must leave
// the same records, before-images, outcome log and job counts.
//
// The edge's fault rules are global: they hold for every test binary
// sharing the local cloud, and can only name a function, not a tenant. So
// these tests do not call t.Parallel (the binary's parallel tests start
// only after its sequential ones end, so no other import of this binary
// runs meanwhile), clear the rules as soon as the import ends, and keep
// the import small. An import of another package's tests running at the
// same moment could still take a fault meant for this one.

const (
	faultRows    = 300
	faultUpdates = 50 // rows 6, 12, ... 300 update a seeded record
	// faultSpare are seeded records the file does not name: untouched.
	faultSpare = 5
)

// The tenant has one user, anna, who gets every row.
const faultConfig = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "locale": "en-US"}`

var faultCities = []string{"Berlin", "Roma", "Paris", "Kraków", "Zürich", "Lisboa", "Wien"}

func faultNumber(i int) string { return fmt.Sprintf("F-%04d", i) }

// faultFile is the CSV: every sixth row has a seeded record with other
// values.
func faultFile() []byte {
	var b strings.Builder
	b.WriteString("Customer number,Name,City\n")
	for i := 1; i <= faultRows; i++ {
		fmt.Fprintf(&b, "%s,Firma %d,%s\n", faultNumber(i), i, faultCities[i%len(faultCities)])
	}
	return []byte(b.String())
}

func faultSeed() []seeded {
	var recs []seeded
	for i := 6; i <= faultRows; i += 6 {
		recs = append(recs, seeded{Entity: customers, ID: strings.ToLower(faultNumber(i)), Version: int64(i%4 + 1),
			Fields: map[string]string{"customer_number": faultNumber(i), "name": fmt.Sprintf("Alte Firma %d", i), "city": "Oslo"}})
	}
	for i := 1; i <= faultSpare; i++ {
		n := 9000 + i
		recs = append(recs, seeded{Entity: customers, ID: strings.ToLower(faultNumber(n)), Version: 2,
			Fields: map[string]string{"customer_number": faultNumber(n), "name": "Spare", "city": "Oslo"}})
	}
	return recs
}

// numberedRecord is what the comparison sees of a record, keyed by its
// customer number: record IDs and import IDs differ between tenants.
type numberedRecord struct {
	Entity  string
	Fields  map[string]string
	Version int64
	// ByImport says whether the import under test wrote it last.
	ByImport bool
}

// beforeImage is what the comparison sees of a before-image, keyed by the
// customer number of its record. Old is the record before the import:
// after a crash it must still be that, not the record as the crashed
// attempt left it.
type beforeImage struct {
	Op           string
	Row          int
	Existed      bool
	VersionAfter int64
	Old          *numberedRecord
}

// faultRun is what one import left.
type faultRun struct {
	job      crm.Job
	records  map[string]numberedRecord
	items    int
	befores  map[string]beforeImage
	outcomes map[int]outcome.Status // by row
}

// runFaultImport seeds a fresh tenant, imports the file with the faults
// injected (none when rules is empty) and reads what it left.
func runFaultImport(t *testing.T, st *stack, rules ...cloudtest.Fault) faultRun {
	t.Helper()
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.seed(t, tn, anna.ID, faultSeed())
	st.saveConfig(t, tn, "cfg", faultConfig)
	if len(rules) > 0 {
		st.cloud.InjectFaults(t, rules...)
	}
	id := st.upload(t, tn, customers, "faults.csv", faultFile(), "cfg")
	j := st.waitJob(t, tn, id)
	if len(rules) > 0 {
		for _, r := range st.cloud.Faults(t) {
			t.Logf("fault %s on %s %s after %d: matched %d requests, injected %d", r.Action, r.Function, r.Operation, r.After, r.Matched, r.Injected)
			if r.Injected != r.Times {
				t.Errorf("fault %s injected %d times, want %d: the import did not meet the fault it was meant to survive", r.Action, r.Injected, r.Times)
			}
		}
		st.cloud.ClearFaults(t)
	}
	if j.Status != crm.Succeeded {
		t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	run := faultRun{job: j, records: map[string]numberedRecord{}, outcomes: map[int]outcome.Status{}}
	numberOf := map[string]string{} // record ID -> customer number
	for _, r := range st.records(t, tn, anna.ID) {
		run.items++
		number := r.Fields["customer_number"]
		if prev, dup := run.records[number]; dup {
			t.Errorf("customer number %s is held by two records: %+v and %s %+v", number, prev, r.ID, r)
		}
		run.records[number] = numberedRecord{Entity: r.Entity, Fields: r.Fields, Version: r.Version, ByImport: r.ImportID == id}
		numberOf[r.ID] = number
	}
	run.befores = st.beforeImagesByNumber(t, tn, id, numberOf)
	for _, o := range st.outcomes(t, tn, id, anna.ID) {
		if prev, dup := run.outcomes[o.Row]; dup {
			t.Errorf("outcome log has row %d twice: %s and %s", o.Row, prev, o.Status)
		}
		run.outcomes[o.Row] = o.Status
	}
	return run
}

// beforeImagesByNumber reads an import's before-images, keyed by the
// customer number of the record each one is about; the image of a chunk's
// creates (its IDs) counts as one image per ID, with no row.
func (st *stack) beforeImagesByNumber(t *testing.T, tn, importID string, numberOf map[string]string) map[string]beforeImage {
	t.Helper()
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :b)"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{
			":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.ImportPK(tn, importID)},
			":b":  &dbtypes.AttributeValueMemberS{Value: "BEFORE#"},
		},
		ConsistentRead: aws.Bool(true),
	})
	out := map[string]beforeImage{}
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Query before-images of %s: %v", importID, err)
		}
		for _, it := range page.Items {
			var b struct {
				IDs          []string      `dynamodbav:"ids,stringset"`
				ID           string        `dynamodbav:"id"`
				Op           string        `dynamodbav:"op"`
				Row          int           `dynamodbav:"row"`
				Existed      bool          `dynamodbav:"existed"`
				VersionAfter int64         `dynamodbav:"version_after"`
				Item         *storedRecord `dynamodbav:"item"`
			}
			if err := attributevalue.UnmarshalMap(it, &b); err != nil {
				t.Fatalf("decode before-image %v: %v", it["sk"], err)
			}
			img := beforeImage{Op: b.Op, Row: b.Row, Existed: b.Existed, VersionAfter: b.VersionAfter}
			if b.Item != nil {
				img.Old = &numberedRecord{Entity: b.Item.Entity, Fields: b.Item.Fields, Version: b.Item.Version, ByImport: b.Item.ImportID == importID}
			}
			ids := b.IDs
			if ids == nil {
				ids = []string{b.ID}
			}
			for _, id := range ids {
				number, ok := numberOf[id]
				if !ok {
					t.Errorf("before-image of %s names no record of the table", id)
					number = "id " + id
				}
				if _, twice := out[number]; twice {
					t.Errorf("before-images name %s twice", number)
				}
				out[number] = img
			}
		}
	}
	return out
}

// wantFaultTable is the table the file must leave, worked out from the
// file and the seed rather than from a run.
func wantFaultTable() map[string]numberedRecord {
	want := map[string]numberedRecord{}
	for _, s := range faultSeed() {
		want[s.Fields["customer_number"]] = numberedRecord{Entity: s.Entity, Fields: s.Fields, Version: s.Version}
	}
	for i := 1; i <= faultRows; i++ {
		number := faultNumber(i)
		version := int64(1)
		if old, ok := want[number]; ok {
			version = old.Version + 1
		}
		want[number] = numberedRecord{Entity: customers, Version: version, ByImport: true, Fields: map[string]string{
			"customer_number": number, "name": fmt.Sprintf("Firma %d", i), "city": faultCities[i%len(faultCities)],
		}}
	}
	return want
}

// checkSameAs compares a faulted run with the fault-free one.
func checkSameAs(t *testing.T, got, want faultRun) {
	t.Helper()
	if diff := cmp.Diff(want.records, got.records); diff != "" {
		t.Errorf("records by customer number differ from the fault-free run (-fault-free +faulted):\n%s", diff)
	}
	if got.items != want.items {
		t.Errorf("records = %d, want %d as in the fault-free run", got.items, want.items)
	}
	if diff := cmp.Diff(want.befores, got.befores); diff != "" {
		t.Errorf("before-images by customer number differ from the fault-free run (-fault-free +faulted):\n%s", diff)
	}
	if diff := cmp.Diff(want.outcomes, got.outcomes); diff != "" {
		t.Errorf("outcome log, status by row, differs from the fault-free run (-fault-free +faulted):\n%s", diff)
	}
	if got.job.Counts != want.job.Counts {
		t.Errorf("job counts = %+v, want %+v as in the fault-free run", got.job.Counts, want.job.Counts)
	}
	if got.job.Done != want.job.Done || got.job.Total != want.job.Total {
		t.Errorf("job progress = %d/%d, want %d/%d as in the fault-free run", got.job.Done, got.job.Total, want.job.Done, want.job.Total)
	}
}

func applyFault(action string, after, times int) cloudtest.Fault {
	return cloudtest.Fault{Function: "ApplyFunction", Service: "dynamodb", Operation: "BatchWriteItem", After: after, Times: times, Action: action}
}

func TestFaultedApplyLeavesTheFaultFreeTable(t *testing.T) {
	st := newStack(t)
	var clean faultRun
	t.Run("fault-free", func(t *testing.T) {
		clean = runFaultImport(t, st)
		want := wantFaultTable()
		if diff := cmp.Diff(want, clean.records); diff != "" {
			t.Errorf("records by customer number (-want +got):\n%s", diff)
		}
		if clean.items != len(want) {
			t.Errorf("records = %d, want %d", clean.items, len(want))
		}
		if len(clean.befores) != faultRows {
			t.Errorf("before-images = %d, want one per row (%d)", len(clean.befores), faultRows)
		}
		for number, b := range clean.befores {
			if b.Old != nil && b.Old.ByImport {
				t.Errorf("before-image of %s holds the record as the import left it: %+v", number, b.Old)
			}
		}
		existed := 0
		for _, b := range clean.befores {
			if b.Existed {
				existed++
			}
		}
		if existed != faultUpdates {
			t.Errorf("before-images of records that existed = %d, want %d", existed, faultUpdates)
		}
		if len(clean.outcomes) != faultRows {
			t.Errorf("outcome log rows = %d, want %d", len(clean.outcomes), faultRows)
		}
		checkCounts(t, clean.job, crm.Counts{Rows: faultRows, Created: faultRows - faultUpdates, Updated: faultUpdates})
	})
	if clean.records == nil {
		t.Fatal("no fault-free run to compare with")
	}

	// Apply writes chunks of 100 ops, by record ID: the 250 created
	// records' (upper-case IDs) come first. A chunk writes the image of its
	// creates (one UpdateItem, no batch), the before-images of its updates
	// (2 calls of 25 for the third chunk's 50), then its records (4 calls);
	// 300 rows make 14 BatchWriteItem calls. Then it puts the outcome log
	// and its result in S3.
	crashes := []struct {
		name  string
		fault cloudtest.Fault
	}{
		// 50 records of the first chunk are in.
		{"crash after half of the first chunk's records", applyFault(cloudtest.Crash, 2, 1)},
		// The first chunk and half of the second are in.
		{"crash half-way through the second chunk's records", applyFault(cloudtest.Crash, 6, 1)},
		// The first before-image call of the third chunk lands, no record.
		{"crash during the third chunk's before-images", applyFault(cloudtest.Crash, 9, 1)},
		// Every record is in; the retry finds them all applied.
		{"crash on the last record batch", applyFault(cloudtest.Crash, 13, 1)},
		{"crash while putting the outcome log", cloudtest.Fault{Function: "ApplyFunction", Service: "s3", Operation: "PutObject", Times: 1, Action: cloudtest.Crash}},
	}
	for _, c := range crashes {
		t.Run(c.name, func(t *testing.T) {
			got := runFaultImport(t, st, c.fault)
			checkSameAs(t, got, clean)
			st.checkApplyRetried(t, got.job.ID)
		})
	}

	t.Run("throttled and unprocessed", func(t *testing.T) {
		// The throttles hit the first calls (the SDK retries twice, then
		// the batch writer backs off); the half-written batches then hit
		// the third chunk's before-images and records.
		got := runFaultImport(t, st, applyFault(cloudtest.Throttle, 0, 3), applyFault(cloudtest.Unprocessed, 8, 3))
		checkSameAs(t, got, clean)
	})
}

// checkApplyRetried reads the execution's history: in the Apply state, a
// first invoke of the apply function failed with the crash
// (Runtime.ExitError) and a second one succeeded.
func (st *stack) checkApplyRetried(t *testing.T, id string) {
	t.Helper()
	if exec := st.execution(t, id); exec.Status != sfntypes.ExecutionStatusSucceeded {
		t.Errorf("execution status = %s, want SUCCEEDED", exec.Status)
	}
	arn := strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	state := ""
	var attempts []string // outcome of each invoke of the apply function
	// Apply runs in the Distributed Map's children, whose events are in
	// their own histories: the local cloud answers them for the map run.
	for _, e := range st.mapRunsHistory(t, arn) {
		switch {
		case e.StateEnteredEventDetails != nil:
			state = aws.ToString(e.StateEnteredEventDetails.Name)
		case state != "Apply":
		case e.TaskScheduledEventDetails != nil:
			if !strings.Contains(aws.ToString(e.TaskScheduledEventDetails.Parameters), "ApplyFunction") {
				t.Errorf("the Apply state invoked %s, want the apply function", aws.ToString(e.TaskScheduledEventDetails.Parameters))
			}
			attempts = append(attempts, "scheduled")
		case e.TaskFailedEventDetails != nil && len(attempts) > 0:
			attempts[len(attempts)-1] = "failed " + aws.ToString(e.TaskFailedEventDetails.Error)
		case e.TaskSucceededEventDetails != nil && len(attempts) > 0:
			attempts[len(attempts)-1] = "succeeded"
		}
	}
	want := []string{"failed Runtime.ExitError", "succeeded"}
	if !slices.Equal(attempts, want) {
		t.Errorf("apply attempts in the execution history of %s = %q, want %q", id, attempts, want)
	}
}

// mapRunsHistory returns the events of the execution's Distributed Map
// children: the local cloud (infra/moto_server.py) answers
// GetExecutionHistory of a map run's ARN with its children's events, AWS
// one history per child execution (ListExecutions by MapRunArn).
func (st *stack) mapRunsHistory(t testing.TB, arn string) []sfntypes.HistoryEvent {
	t.Helper()
	ctx := context.Background()
	runs, err := st.sfn.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: &arn})
	if err != nil {
		t.Fatalf("ListMapRuns(%s): %v", arn, err)
	}
	var events []sfntypes.HistoryEvent
	for _, run := range runs.MapRuns {
		p := sfn.NewGetExecutionHistoryPaginator(st.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: run.MapRunArn})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetExecutionHistory(%s): %v", aws.ToString(run.MapRunArn), err)
			}
			events = append(events, page.Events...)
		}
	}
	return events
}
