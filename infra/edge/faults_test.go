package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

func TestFaultRulesActAfterTheirCountForTheirTimes(t *testing.T) {
	bwi := func(action string, after, times int) faultRule {
		return faultRule{Function: "ApplyFunction", Service: "dynamodb", Operation: "BatchWriteItem", After: after, Times: times, Action: action}
	}
	const apply = "crm-import-ApplyFunction-ABC123"
	type call struct{ function, service, op string }
	batch := call{apply, "dynamodb", "BatchWriteItem"}
	tests := []struct {
		name  string
		rules []faultRule
		calls []call
		want  []string // action per call, "" for none
	}{
		{
			name:  "crash after three calls, once",
			rules: []faultRule{bwi(faultCrash, 3, 1)},
			calls: []call{batch, batch, batch, batch, batch},
			want:  []string{"", "", "", faultCrash, ""},
		},
		{
			name:  "other operations, services and functions pass and do not count",
			rules: []faultRule{bwi(faultCrash, 1, 1)},
			calls: []call{{apply, "dynamodb", "Query"}, {apply, "s3", "BatchWriteItem"}, {"crm-import-PreviewFunction-X", "dynamodb", "BatchWriteItem"}, {"", "dynamodb", "BatchWriteItem"}, batch, batch},
			want:  []string{"", "", "", "", "", faultCrash},
		},
		{
			name:  "two rules on the same calls act one after the other",
			rules: []faultRule{bwi(faultThrottle, 0, 3), bwi(faultUnprocessed, 0, 3)},
			calls: []call{batch, batch, batch, batch, batch, batch, batch},
			want:  []string{faultThrottle, faultThrottle, faultThrottle, faultUnprocessed, faultUnprocessed, faultUnprocessed, ""},
		},
		{
			name:  "empty service and operation match every call of the function",
			rules: []faultRule{{Function: "ApplyFunction", Times: 2, Action: faultCrash}},
			calls: []call{{apply, "s3", "PutObject"}, batch, batch},
			want:  []string{faultCrash, faultCrash, ""},
		},
		{
			name:  "a rule with an empty function matches functions but not other clients",
			rules: []faultRule{{Service: "dynamodb", Times: 5, Action: faultThrottle}},
			calls: []call{{"", "dynamodb", "PutItem"}, {"any-fn", "dynamodb", "PutItem"}},
			want:  []string{"", faultThrottle},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f faults
			if err := f.set(tt.rules); err != nil {
				t.Fatal(err)
			}
			for i, c := range tt.calls {
				got, ok := f.pick(c.function, c.service, c.op)
				if got != tt.want[i] || ok != (tt.want[i] != "") {
					t.Errorf("call %d: pick(%q, %q, %q) = %q, %v; want %q", i+1, c.function, c.service, c.op, got, ok, tt.want[i])
				}
			}
		})
	}
}

func TestFaultRulesCountWhatTheySawAndDid(t *testing.T) {
	var f faults
	if err := f.set([]faultRule{{Function: "Apply", Service: "dynamodb", Operation: "BatchWriteItem", After: 1, Times: 1, Action: faultCrash}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.pick("ApplyFunction", "dynamodb", "BatchWriteItem")
	}
	got := f.snapshot()[0]
	if got.Matched != 3 || got.Injected != 1 {
		t.Errorf("after 3 calls: matched %d, injected %d; want 3, 1", got.Matched, got.Injected)
	}
	// New rules start from zero.
	if err := f.set([]faultRule{got}); err != nil {
		t.Fatal(err)
	}
	if again := f.snapshot()[0]; again.Matched != 0 || again.Injected != 0 {
		t.Errorf("rule set again: matched %d, injected %d; want 0, 0", again.Matched, again.Injected)
	}
}

func TestFaultRuleValidation(t *testing.T) {
	tests := []struct {
		name    string
		rule    faultRule
		wantErr string
	}{
		{"crash on anything", faultRule{Function: "F", Times: 1, Action: faultCrash}, ""},
		{"throttle on dynamodb", faultRule{Service: "dynamodb", Times: 1, Action: faultThrottle}, ""},
		{"unprocessed on BatchWriteItem", faultRule{Service: "dynamodb", Operation: "BatchWriteItem", Times: 1, Action: faultUnprocessed}, ""},
		{"unknown action", faultRule{Times: 1, Action: "explode"}, `action "explode"`},
		{"throttle on s3", faultRule{Service: "s3", Times: 1, Action: faultThrottle}, "service must be dynamodb"},
		{"unprocessed on PutItem", faultRule{Service: "dynamodb", Operation: "PutItem", Times: 1, Action: faultUnprocessed}, "operation BatchWriteItem"},
		{"zero times", faultRule{Action: faultCrash}, "times >= 1"},
		{"negative after", faultRule{After: -1, Times: 1, Action: faultCrash}, "after >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate(%+v) = %v, want nil", tt.rule, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate(%+v) = %v, want an error containing %q", tt.rule, err, tt.wantErr)
			}
		})
	}
}

func putRequests(n int, prefix string) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%s%d"}}}}`, prefix, i))
	}
	return out
}

func TestSplitBatchForwardsTheFirstHalfAndHoldsTheRest(t *testing.T) {
	tests := []struct {
		name        string
		items       map[string][]json.RawMessage
		wantForward map[string][]json.RawMessage // nil: nothing forwarded
		wantHeld    map[string][]json.RawMessage
	}{
		{
			name:        "25 items",
			items:       map[string][]json.RawMessage{"t": putRequests(25, "a")},
			wantForward: map[string][]json.RawMessage{"t": putRequests(25, "a")[:12]},
			wantHeld:    map[string][]json.RawMessage{"t": putRequests(25, "a")[12:]},
		},
		{
			name:     "one item is held whole",
			items:    map[string][]json.RawMessage{"t": putRequests(1, "a")},
			wantHeld: map[string][]json.RawMessage{"t": putRequests(1, "a")},
		},
		{
			name:        "each table is halved",
			items:       map[string][]json.RawMessage{"t1": putRequests(4, "a"), "t2": putRequests(1, "b")},
			wantForward: map[string][]json.RawMessage{"t1": putRequests(4, "a")[:2]},
			wantHeld:    map[string][]json.RawMessage{"t1": putRequests(4, "a")[2:], "t2": putRequests(1, "b")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"RequestItems": tt.items, "ReturnConsumedCapacity": "TOTAL"})
			forward, held, err := splitBatch(body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(compact(t, held), compact(t, tt.wantHeld)) {
				t.Errorf("splitBatch held %s, want %s", mustJSON(held), mustJSON(tt.wantHeld))
			}
			if tt.wantForward == nil {
				if forward != nil {
					t.Errorf("splitBatch forwards %s, want nothing", forward)
				}
				return
			}
			var req struct {
				RequestItems           map[string][]json.RawMessage
				ReturnConsumedCapacity string
			}
			if err := json.Unmarshal(forward, &req); err != nil {
				t.Fatalf("forwarded body %s: %v", forward, err)
			}
			if !reflect.DeepEqual(compact(t, req.RequestItems), compact(t, tt.wantForward)) {
				t.Errorf("splitBatch forwards %s, want %s", mustJSON(req.RequestItems), mustJSON(tt.wantForward))
			}
			if req.ReturnConsumedCapacity != "TOTAL" {
				t.Errorf("forwarded ReturnConsumedCapacity = %q, want the request's TOTAL", req.ReturnConsumedCapacity)
			}
		})
	}
}

func TestSplitBatchRefusesWhatIsNotABatchWrite(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"RequestItems":[1]}`} {
		if _, _, err := splitBatch([]byte(body)); err == nil {
			t.Errorf("splitBatch(%s) = nil error, want one", body)
		}
	}
}

func TestAddUnprocessedKeepsMotosOwnAndTheRestOfTheAnswer(t *testing.T) {
	answer := `{"ConsumedCapacity":[{"TableName":"t","CapacityUnits":2}],"UnprocessedItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"m"}}}}]}}`
	held := map[string][]json.RawMessage{"t": putRequests(2, "h"), "u": putRequests(1, "u")}
	out, err := addUnprocessed([]byte(answer), held)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ConsumedCapacity []map[string]any
		UnprocessedItems map[string][]json.RawMessage
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string][]json.RawMessage{
		"t": append([]json.RawMessage{json.RawMessage(`{"PutRequest":{"Item":{"pk":{"S":"m"}}}}`)}, putRequests(2, "h")...),
		"u": putRequests(1, "u"),
	}
	if !reflect.DeepEqual(compact(t, got.UnprocessedItems), compact(t, want)) {
		t.Errorf("UnprocessedItems = %s, want %s", mustJSON(got.UnprocessedItems), mustJSON(want))
	}
	if len(got.ConsumedCapacity) != 1 {
		t.Errorf("ConsumedCapacity = %v, want moto's kept", got.ConsumedCapacity)
	}
}

func compact(t *testing.T, m map[string][]json.RawMessage) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for k, list := range m {
		for _, raw := range list {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				t.Fatalf("compact %s: %v", raw, err)
			}
			out[k] = append(out[k], b.String())
		}
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFaultsAdminEndpoint(t *testing.T) {
	e, err := newEdge(config{MotoURL: "http://127.0.0.1:1", Region: "us-east-1", StateDir: t.TempDir()},
		slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	do := func(method, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+"/_edge/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s /_edge/faults: %v", method, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	rule := `[{"function":"ApplyFunction","service":"dynamodb","operation":"BatchWriteItem","after":3,"times":1,"action":"crash"}]`
	if code, body := do(http.MethodPost, rule); code != http.StatusOK || !strings.Contains(body, `"after": 3`) {
		t.Errorf("POST rules = %d %s, want 200 with the rule", code, body)
	}
	if code, body := do(http.MethodGet, ""); code != http.StatusOK || !strings.Contains(body, `"action": "crash"`) {
		t.Errorf("GET rules = %d %s, want 200 with the crash rule", code, body)
	}
	for _, bad := range []string{`{"action":"crash"}`, `[{"action":"explode","times":1}]`, `[{"action":"crash","times":1,"afterr":2}]`} {
		if code, body := do(http.MethodPost, bad); code != http.StatusBadRequest {
			t.Errorf("POST %s = %d %s, want 400", bad, code, body)
		}
	}
	if n := len(e.faults.snapshot()); n != 1 {
		t.Errorf("rules after refused posts = %d, want the 1 rule set before", n)
	}
	if code, _ := do(http.MethodDelete, ""); code != http.StatusNoContent {
		t.Errorf("DELETE rules = %d, want 204", code)
	}
	if code, body := do(http.MethodGet, ""); code != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("GET rules after DELETE = %d %s, want []", code, body)
	}
}

// setFaults replaces the test edge's rules and clears them at the end.
func setFaults(t *testing.T, rules ...faultRule) {
	t.Helper()
	body, _ := json.Marshal(rules)
	resp, err := http.Post(testURL+"/_edge/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /_edge/faults: %s", resp.Status)
	}
	t.Cleanup(func() { _ = testEdge.faults.set(nil) })
}

func createKeyTable(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	if _, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
}

func tableKeys(t *testing.T, db *dynamodb.Client, table string) map[string]bool {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	keys := map[string]bool{}
	for _, it := range out.Items {
		keys[it["pk"].(*ddbtypes.AttributeValueMemberS).Value] = true
	}
	return keys
}

func batchOf(table string, keys ...string) *dynamodb.BatchWriteItemInput {
	reqs := make([]ddbtypes.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: k}}}}
	}
	return &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{table: reqs}}
}

// A client posing as a function (signing with fn-<name>) sees the faults
// through the real SDK, which checks the answers' CRC32 and shapes.
func TestThrottleAndUnprocessedFaultsReachTheSDKAsDynamoDBWouldAnswer(t *testing.T) {
	needCloud(t)
	ctx := context.Background()
	name := "fault-sdk-" + sanitize(t.Name())
	cfg := testAWS.Copy()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(functionKeyPrefix+name, "test", "")
	// No SDK retries: each call shows the single answer the edge gave.
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
	table := "faults-" + sanitize(t.Name())
	createKeyTable(t, dynamodb.NewFromConfig(testAWS), table)

	setFaults(t,
		faultRule{Function: name, Service: "dynamodb", Operation: "BatchWriteItem", Times: 1, Action: faultThrottle},
		faultRule{Function: name, Service: "dynamodb", Operation: "BatchWriteItem", After: 1, Times: 1, Action: faultUnprocessed},
	)

	_, err := db.BatchWriteItem(ctx, batchOf(table, "a", "b", "c", "d"))
	var throttled *ddbtypes.ProvisionedThroughputExceededException
	if !errors.As(err, &throttled) {
		t.Fatalf("first BatchWriteItem error = %v, want ProvisionedThroughputExceededException", err)
	}
	if !retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
		t.Errorf("the SDK does not see %v as a throttle, so would not back off", err)
	}
	if got := tableKeys(t, db, table); len(got) != 0 {
		t.Errorf("items after a throttled write = %v, want none", got)
	}

	out, err := db.BatchWriteItem(ctx, batchOf(table, "a", "b", "c", "d", "e"))
	if err != nil {
		t.Fatalf("second BatchWriteItem: %v", err)
	}
	var held []string
	for _, r := range out.UnprocessedItems[table] {
		held = append(held, r.PutRequest.Item["pk"].(*ddbtypes.AttributeValueMemberS).Value)
	}
	if want := []string{"c", "d", "e"}; !reflect.DeepEqual(held, want) {
		t.Errorf("UnprocessedItems = %v, want %v", held, want)
	}
	if got, want := tableKeys(t, db, table), map[string]bool{"a": true, "b": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("items after a half-processed write = %v, want %v", got, want)
	}

	// The rules are spent: the retry of the held items goes through.
	if out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: out.UnprocessedItems}); err != nil || len(out.UnprocessedItems) != 0 {
		t.Fatalf("retry of the unprocessed items = %v, %v; want all written", out, err)
	}
	if got := tableKeys(t, db, table); len(got) != 5 {
		t.Errorf("items after the retry = %v, want a to e", got)
	}
	for _, r := range testEdge.faults.snapshot() {
		if r.Injected != 1 {
			t.Errorf("rule %s injected %d times, want 1", r.Action, r.Injected)
		}
	}
}

func TestCrashFaultKillsTheFunctionAfterItsWriteLands(t *testing.T) {
	needCloud(t)
	table := "faults-crash-" + sanitize(t.Name())
	db := dynamodb.NewFromConfig(testAWS)
	createKeyTable(t, db, table)
	name := createFunction(t, 10, map[string]string{"TABLE": table})
	// Start a warm process first, to see that the crash replaces it.
	before := decodeReply(t, invoke(t, name, `{}`))

	setFaults(t, faultRule{Function: name, Service: "dynamodb", Operation: "PutItem", After: 1, Times: 1, Action: faultCrash})
	// The echo function puts one item per SQS message, in order.
	event := `{"Records":[{"messageId":"m1","body":"one"},{"messageId":"m2","body":"two"},{"messageId":"m3","body":"three"}]}`
	out := invoke(t, name, event)

	var body struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(out.Payload, &body)
	if aws.ToString(out.FunctionError) != "Unhandled" || body.ErrorType != "Runtime.ExitError" {
		t.Fatalf("Invoke with a crash fault = %s (FunctionError %q), want a Runtime.ExitError", out.Payload, aws.ToString(out.FunctionError))
	}
	// The second put landed, the third was never sent.
	if got, want := tableKeys(t, db, table), map[string]bool{"MSG#m1": true, "MSG#m2": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("items after the crash = %v, want %v", got, want)
	}
	if processAlive(before.PID) {
		t.Errorf("process %d still runs after the crash fault", before.PID)
	}
	if n := testEdge.functions.processes()[name]; n != 0 {
		t.Errorf("processes of %s after the crash = %d, want 0", name, n)
	}

	// The rule is spent: the function runs again in a fresh process.
	again := decodeReply(t, invoke(t, name, `{}`))
	if again.PID == before.PID {
		t.Errorf("after the crash the function ran in pid %d again, want a fresh process", again.PID)
	}
	if r := testEdge.faults.snapshot()[0]; r.Matched != 2 || r.Injected != 1 {
		t.Errorf("crash rule matched %d, injected %d; want 2, 1", r.Matched, r.Injected)
	}
}

func TestCrashFaultKillsOnlyTheProcessThatSentTheRequest(t *testing.T) {
	needCloud(t)
	table := "faults-one-" + sanitize(t.Name())
	db := dynamodb.NewFromConfig(testAWS)
	createKeyTable(t, db, table)
	name := createFunction(t, 10, map[string]string{"TABLE": table})
	// Two warm processes: invocations that wait for each other.
	barrier := fmt.Sprintf(`{"barrier":%q,"parties":2}`, t.TempDir())
	outs := make(chan []byte, 2)
	for range 2 {
		go func() {
			out, err := lambda.NewFromConfig(testAWS).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(barrier)})
			if err != nil {
				outs <- []byte(err.Error())
				return
			}
			outs <- out.Payload
		}()
	}
	var pids [2]int
	for i := range pids {
		var r echoReply
		if out := <-outs; json.Unmarshal(out, &r) != nil || r.PID == 0 {
			t.Fatalf("invoke at the barrier = %s, want a reply with a pid", out)
		}
		pids[i] = r.PID
	}
	first, second := pids[0], pids[1]
	if first == second {
		t.Fatalf("both invocations ran in pid %d, want two processes", first)
	}

	setFaults(t, faultRule{Function: name, Service: "dynamodb", Operation: "PutItem", Times: 1, Action: faultCrash})
	out := invoke(t, name, `{"Records":[{"messageId":"m1","body":"one"}]}`)
	if !strings.Contains(string(out.Payload), "Runtime.ExitError") {
		t.Fatalf("Invoke with a crash fault = %s, want a Runtime.ExitError", out.Payload)
	}
	alive := 0
	for _, pid := range []int{first, second} {
		if processAlive(pid) {
			alive++
		}
	}
	if alive != 1 {
		t.Errorf("processes alive after one crashed = %d of pids %d and %d, want the one that did not send the request", alive, first, second)
	}
	if n := testEdge.functions.processes()[name]; n != 1 {
		t.Errorf("processes of %s after the crash = %d, want 1", name, n)
	}
}
