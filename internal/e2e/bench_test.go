package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/steps"
)

// benchSizes are the sizes of BenchmarkImportEndToEnd; BENCH_E2E_SIZE
// picks one (10k when unset).
var benchSizes = map[string]struct{ rows, users int }{
	"10k":  {10_000, 10},
	"100k": {100_000, 100},
	"1m":   {1_000_000, 1_000},
}

// benchFunctions are the stack's functions by logical id, as the
// Makefile's FUNCTIONS names them.
var benchFunctions = []string{"Trigger", "Validate", "Split", "RestorePoint", "Next", "Wait", "Preview", "Apply", "Finalize", "Sweeper", "Api"}

// BenchmarkImportEndToEnd imports N customer rows for U sales agents
// through the whole local stack (an upload to the bucket, as a sync drops
// a file: the trigger, validate, split, the Map of preview and apply,
// finalize), then writes the same records again, the same number of items
// of the same size, with BatchWriteItem alone: 25 items a call, one
// writer, as boto3's batch_writer does. That is the floor: what moto
// needs to store the records at all. It reports both times, their ratio
// (x-floor), and prints each function's invocations, peak memory and
// requests. Run by `make bench-e2e` (BENCH_E2E_SIZE=10k|100k|1m), never
// by `make test`: the import takes minutes.
func BenchmarkImportEndToEnd(b *testing.B) {
	name := os.Getenv("BENCH_E2E_SIZE")
	if name == "" {
		name = "10k"
	}
	size, ok := benchSizes[strings.ToLower(name)]
	if !ok {
		b.Fatalf("BENCH_E2E_SIZE = %q, want one of 10k, 100k, 1m", name)
	}
	st := newStack(b)
	path := writeBenchFile(b, size.rows, size.users)
	for range b.N {
		r := st.benchImport(b, path, size.rows, size.users)
		floor := st.benchFloor(b, r.tenant, size.users)
		b.ReportMetric(r.took.Seconds(), "import-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(r.took.Seconds()/floor.Seconds(), "x-floor")
		st.printBench(b, size.rows, size.users, r.took, floor)
		st.printTransitions(b, r.id, size.users)
	}
}

// benchAgent is the e-mail of the benchmark's user i.
func benchAgent(i int) string { return fmt.Sprintf("agent%04d@bench.example", i) }

// writeBenchFile writes a customers CSV of rows rows, spread evenly over
// users agents, with what a tenant's export holds: text, a postcode, an
// e-mail and a phone number to validate, a revenue and a date. Records
// come out at about 400 bytes.
func writeBenchFile(tb testing.TB, rows, users int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("bench-%d.csv", rows))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Customer number,Name,Street,Postcode,City,Email,Phone,Revenue,Last visit,Agent email")
	cities := []string{"Berlin", "München", "Hamburg", "Köln", "Dresden"}
	for i := range rows {
		fmt.Fprintf(w, "K-%07d,Müller & Söhne %d GmbH,Hauptstraße %d,%05d,%s,info%d@example.com,+49 30 %07d,%d.%02d,2026-%02d-%02d,%s\n",
			i, i, i%200+1, 10000+(i*7)%90000, cities[i%len(cities)], i, 1000000+i, i*13%1000000, i%100, i%12+1, i%28+1, benchAgent(i%users))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

type benchRun struct {
	tenant, id string
	took       time.Duration
}

// benchImport makes a tenant with the users (and limits that admit the
// file), uploads the file and waits for the import to end: the time from
// the upload to the job's end, with every function's counts and peaks
// reset before.
func (st *stack) benchImport(tb testing.TB, path string, rows, users int) benchRun {
	tb.Helper()
	ctx := context.Background()
	tn := newTenant(tb)
	if err := st.tenants.PutProfile(ctx, tn, crm.Profile{MaxRows: max(rows, crm.DefaultMaxRows), MaxUsers: max(users, crm.DefaultMaxUsers)}); err != nil {
		tb.Fatalf("PutProfile: %v", err)
	}
	for i := range users {
		st.addUser(tb, tn, crm.User{ID: fmt.Sprintf("u-%04d", i), Email: benchAgent(i), Name: fmt.Sprintf("Agent %d", i)})
	}
	st.saveConfig(tb, tn, "bench", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"],
		"assignment": {"column": "Agent email", "by": "email"}, "locale": "de-DE"}`)
	for _, fn := range benchFunctions {
		st.cloud.ResetFunctionStats(tb, fn+"Function")
	}
	st.cloud.ResetFunctionsMemory(tb, "")

	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	key := crm.IncomingPrefix + tn + "/customers/" + filepath.Base(path)
	start := time.Now()
	out, err := st.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &st.bucket, Key: &key, Body: f,
		Metadata: map[string]string{steps.ConfigMetadata: "bench"}})
	if err != nil {
		tb.Fatalf("PutObject(%s): %v", key, err)
	}
	id := crm.ImportID(st.bucket, key, aws.ToString(out.VersionId), aws.ToString(out.ETag))
	// A generous bound: about 100 rows a second would be a regression of
	// two orders of magnitude, not a slow machine.
	j := st.waitJobFor(tb, tn, id, 5*time.Minute+time.Duration(rows)*10*time.Millisecond)
	took := time.Since(start)
	if j.Status != crm.Succeeded || j.Counts.Created != rows {
		tb.Fatalf("import %s = %s (%s), %+v, want SUCCEEDED with %d rows created", id, j.Status, j.Reason, j.Counts, rows)
	}
	return benchRun{tenant: tn, id: id, took: took}
}

// benchFloor reads each user's records and writes them again under
// another tenant, timing only the writes: BatchWriteItem, 25 items a call,
// unprocessed items sent again, one call at a time.
func (st *stack) benchFloor(tb testing.TB, tenant string, users int) time.Duration {
	tb.Helper()
	ctx := context.Background()
	floor := newTenant(tb)
	var took time.Duration
	items := 0
	for i := range users {
		user := fmt.Sprintf("u-%04d", i)
		p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
			TableName:                 &st.table,
			KeyConditionExpression:    aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: dynamo.UserPK(tenant, user)}},
		})
		pk := &dbtypes.AttributeValueMemberS{Value: dynamo.UserPK(floor, user)}
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				tb.Fatalf("Query records of %s: %v", user, err)
			}
			for start := 0; start < len(page.Items); start += batchItems {
				var reqs []dbtypes.WriteRequest
				for _, item := range page.Items[start:min(start+batchItems, len(page.Items))] {
					item["pk"] = pk
					reqs = append(reqs, dbtypes.WriteRequest{PutRequest: &dbtypes.PutRequest{Item: item}})
				}
				items += len(reqs)
				began := time.Now()
				st.batchWrite(tb, reqs)
				took += time.Since(began)
			}
		}
	}
	if items == 0 {
		tb.Fatalf("floor: no records of %s to write", tenant)
	}
	return took
}

func (st *stack) batchWrite(tb testing.TB, reqs []dbtypes.WriteRequest) {
	tb.Helper()
	for len(reqs) > 0 {
		out, err := st.db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]dbtypes.WriteRequest{st.table: reqs},
		})
		if err != nil {
			tb.Fatalf("BatchWriteItem: %v", err)
		}
		reqs = out.UnprocessedItems[st.table]
	}
}

// printBench prints the run's figures: the times and their ratio, then per
// function its invocations, peak memory against its configured memory,
// and its requests by service and operation.
func (st *stack) printBench(tb testing.TB, rows, users int, took, floor time.Duration) {
	tb.Helper()
	fmt.Printf("\nbench-e2e: %d rows, %d users: import %.1f s, floor %.1f s (BatchWriteItem of the same items, 25 a call, one writer): %.2fx\n",
		rows, users, took.Seconds(), floor.Seconds(), took.Seconds()/floor.Seconds())
	// Requests per 1,000 rows, by service and operation, over every
	// function: the inputs of a capacity model.
	total := map[string]int{}
	for _, fn := range benchFunctions {
		for service, ops := range st.cloud.FunctionStats(tb, fn+"Function") {
			for op, n := range ops {
				total[service+"."+op] += n
			}
		}
	}
	var perRows []string
	for op, n := range total {
		perRows = append(perRows, fmt.Sprintf("%s %.1f", op, float64(n)*1000/float64(rows)))
	}
	sort.Strings(perRows)
	fmt.Printf("requests per 1,000 rows: %s\n", strings.Join(perRows, ", "))
	// Where the time went: how long the local cloud took to answer each
	// operation, over every function (calls made at once overlap, so the
	// sum can exceed the import's time).
	seconds := map[string]float64{}
	for _, fn := range benchFunctions {
		for service, ops := range st.cloud.FunctionSeconds(tb, fn+"Function") {
			for op, s := range ops {
				seconds[service+"."+op] += s
			}
		}
	}
	fmt.Printf("seconds answering, by operation: %s\n", byValue(seconds))
	memory := st.cloud.FunctionsMemory(tb, "")
	fmt.Printf("%-13s %11s %8s %9s %10s  %s\n", "function", "invocations", "peak MB", "memory MB", "AWS s", "requests")
	for _, fn := range benchFunctions {
		var m struct {
			peak, mb    int64
			invocations int
		}
		for name, fm := range memory {
			if strings.Contains(name, fn+"Function") {
				m.peak, m.mb, m.invocations = max(m.peak, fm.PeakRSSBytes), fm.MemoryMB, m.invocations+fm.Invocations
			}
		}
		stats := st.cloud.FunctionStats(tb, fn+"Function")
		waited := 0.0
		for _, ops := range st.cloud.FunctionSeconds(tb, fn+"Function") {
			for _, s := range ops {
				waited += s
			}
		}
		if m.invocations == 0 && len(stats) == 0 {
			continue
		}
		var reqs []string
		for service, ops := range stats {
			for op, n := range ops {
				reqs = append(reqs, fmt.Sprintf("%s.%s %d", service, op, n))
			}
		}
		sort.Strings(reqs)
		fmt.Printf("%-13s %11d %8.1f %9d %10.1f  %s\n", fn, m.invocations, float64(m.peak)/(1<<20), m.mb, waited, strings.Join(reqs, ", "))
	}
}

// printTransitions counts the Step Functions state transitions the import
// made (what AWS bills a standard workflow for): the states its execution
// and its Distributed Map's children entered.
func (st *stack) printTransitions(tb testing.TB, id string, users int) {
	tb.Helper()
	arn := strings.Replace(st.smARN, ":stateMachine:", ":execution:", 1) + ":" + id
	parent, children := 0, 0
	p := sfn.NewGetExecutionHistoryPaginator(st.sfn, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			tb.Fatalf("GetExecutionHistory(%s): %v", id, err)
		}
		for _, e := range page.Events {
			if e.StateEnteredEventDetails != nil {
				parent++
			}
		}
	}
	for _, e := range st.mapRunsHistory(tb, arn) {
		if e.StateEnteredEventDetails != nil {
			children++
		}
	}
	fmt.Printf("state transitions: %d in the execution, %d in the Map's children (%.1f a user)\n",
		parent, children, float64(children)/float64(max(users, 1)))
}

// byValue lists seconds by operation, the largest first, to a tenth.
func byValue(seconds map[string]float64) string {
	ops := make([]string, 0, len(seconds))
	for op := range seconds {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return seconds[ops[i]] > seconds[ops[j]] })
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s %.1f", op, seconds[op])
	}
	return strings.Join(parts, ", ")
}
