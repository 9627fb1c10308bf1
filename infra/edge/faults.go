package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Fault injection: a test asks the edge to make AWS misbehave for one
// deployed function, the way production does under load or when a Lambda
// dies half-way, and then checks that the pipeline still ends right.
//
//	POST   /_edge/faults   [{"function":"ApplyFunction","service":"dynamodb",
//	                         "operation":"BatchWriteItem","after":3,"times":1,
//	                         "action":"crash"}]   replaces the rules
//	GET    /_edge/faults   the rules, with what each has seen and done
//	DELETE /_edge/faults   removes every rule
//
// Rules match only requests signed by a deployed function (access key
// fn-<name>), never a test's own clients, and only requests forwarded to
// moto (not Lambda invokes).

// Fault actions.
const (
	// faultCrash forwards the request, so the write lands, then kills the
	// function's process before it reads the answer: a Lambda that runs out
	// of memory or time mid-way. Its invoke answers Runtime.ExitError.
	faultCrash = "crash"
	// faultThrottle answers DynamoDB's ProvisionedThroughputExceededException
	// without forwarding.
	faultThrottle = "throttle"
	// faultUnprocessed forwards the first half of a BatchWriteItem's items
	// and answers the other half as UnprocessedItems.
	faultUnprocessed = "unprocessed"
)

// faultRule says which requests to fault and how. Matched and Injected
// count what the rule saw and did, so a test can prove a fault happened.
type faultRule struct {
	// Function is part of the deployed function's name (a CloudFormation
	// logical id such as "ApplyFunction"); empty matches every function.
	Function string `json:"function"`
	// Service is the SigV4 service name ("dynamodb"); empty matches all.
	Service string `json:"service"`
	// Operation is the API operation ("BatchWriteItem"); empty matches all.
	Operation string `json:"operation"`
	// After lets this many matching requests through before faulting.
	After int `json:"after"`
	// Times is how many requests to fault.
	Times  int    `json:"times"`
	Action string `json:"action"`

	Matched  int `json:"matched"`
	Injected int `json:"injected"`
}

func (r faultRule) validate() error {
	switch r.Action {
	case faultCrash:
	case faultThrottle:
		if r.Service != "dynamodb" {
			return fmt.Errorf("action throttle answers a DynamoDB error: service must be dynamodb, not %q", r.Service)
		}
	case faultUnprocessed:
		if r.Service != "dynamodb" || r.Operation != "BatchWriteItem" {
			return fmt.Errorf("action unprocessed rewrites a BatchWriteItem: service must be dynamodb and operation BatchWriteItem, not %q %q", r.Service, r.Operation)
		}
	default:
		return fmt.Errorf("action %q: want crash, throttle or unprocessed", r.Action)
	}
	if r.After < 0 || r.Times < 1 {
		return fmt.Errorf("after %d, times %d: want after >= 0 and times >= 1", r.After, r.Times)
	}
	return nil
}

// matches reports whether the rule concerns a request of the named
// function ("" when no function signed it).
func (r faultRule) matches(function, service, op string) bool {
	return function != "" &&
		strings.Contains(function, r.Function) &&
		(r.Service == "" || r.Service == service) &&
		(r.Operation == "" || r.Operation == op)
}

// faults holds the current rules.
type faults struct {
	mu    sync.Mutex
	rules []faultRule
}

func (f *faults) set(rules []faultRule) error {
	for i := range rules {
		if err := rules[i].validate(); err != nil {
			return fmt.Errorf("rule %d: %w", i+1, err)
		}
		rules[i].Matched, rules[i].Injected = 0, 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = rules
	return nil
}

func (f *faults) snapshot() []faultRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]faultRule{}, f.rules...)
}

// pick returns the action to take on a request, if any. Every rule the
// request matches counts it; the first rule that is due (past After, short
// of Times) acts. So two rules on the same calls act one after the other:
// throttle 3 times and unprocessed 3 times give three throttles, then three
// half-written batches.
func (f *faults) pick(function, service, op string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	action, found := "", false
	for i := range f.rules {
		r := &f.rules[i]
		if !r.matches(function, service, op) {
			continue
		}
		r.Matched++
		if !found && r.Matched > r.After && r.Injected < r.Times {
			r.Injected++
			action, found = r.Action, true
		}
	}
	return action, found
}

func (e *edge) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, e.faults.snapshot())
	case http.MethodDelete:
		_ = e.faults.set(nil)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		var rules []faultRule
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rules); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want a JSON array of rules: " + err.Error()})
			return
		}
		if err := e.faults.set(rules); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		e.logger.Info("fault rules set", "rules", len(rules))
		writeJSON(w, http.StatusOK, e.faults.snapshot())
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// injectFault acts on a request a rule picks and reports whether it
// answered it; if not, the request goes to moto as usual.
func (e *edge) injectFault(w http.ResponseWriter, r *http.Request, accessKey, service, op string) bool {
	function, ok := strings.CutPrefix(accessKey, functionKeyPrefix)
	if !ok {
		return false
	}
	action, ok := e.faults.pick(function, service, op)
	if !ok {
		return false
	}
	e.logger.Info("injecting fault", "action", action, "function", function, "service", service, "operation", op)
	switch action {
	case faultThrottle:
		writeDynamoJSON(w, http.StatusBadRequest, []byte(throttleBody))
	case faultUnprocessed:
		e.halfProcessed(w, r)
	case faultCrash:
		e.crash(w, r, function)
	}
	return true
}

const throttleBody = `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",` +
	`"message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}`

// crash lets the request land in moto, then kills the process that sent
// it, which never sees the answer.
func (e *edge) crash(w http.ResponseWriter, r *http.Request, function string) {
	resp := e.forward(r)
	sb := e.functions.sandboxByToken(r.Header.Get("X-Amz-Security-Token"))
	if sb == nil {
		// Signed with a function's key but not from one of its processes
		// (a test posing as it): the caller loses the answer only.
		e.logger.Warn("crash fault: no process of the function sent this request; dropping the answer", "function", function)
	} else {
		sb.kill()
	}
	e.logger.Info("crash fault: killed after the request landed", "function", function, "motoStatus", resp.code)
	// Close the connection without an answer.
	panic(http.ErrAbortHandler)
}

// halfProcessed forwards half of a BatchWriteItem and answers the other
// half as UnprocessedItems.
func (e *edge) halfProcessed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	r.Body.Close()
	if err != nil {
		writeDynamoJSON(w, http.StatusBadRequest, dynamoError("SerializationException", "read request: "+err.Error()))
		return
	}
	forward, held, err := splitBatch(body)
	if err != nil {
		writeDynamoJSON(w, http.StatusBadRequest, dynamoError("ValidationException", err.Error()))
		return
	}
	answer := []byte(`{"UnprocessedItems":{}}`)
	if forward != nil {
		setBody(r, forward)
		resp := e.forward(r)
		if resp.code != http.StatusOK {
			resp.writeTo(w)
			return
		}
		answer = resp.body
	}
	out, err := addUnprocessed(answer, held)
	if err != nil {
		writeDynamoJSON(w, http.StatusInternalServerError, dynamoError("InternalServerError", "edge: "+err.Error()))
		return
	}
	writeDynamoJSON(w, http.StatusOK, out)
}

// splitBatch cuts a BatchWriteItem request in two: the request with the
// first half of each table's items (nil when nothing is left to send), and
// the other half by table.
func splitBatch(body []byte) (forward []byte, held map[string][]json.RawMessage, err error) {
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, fmt.Errorf("decode BatchWriteItem request: %w", err)
	}
	var items map[string][]json.RawMessage
	if err := json.Unmarshal(req["RequestItems"], &items); err != nil {
		return nil, nil, fmt.Errorf("decode RequestItems: %w", err)
	}
	keep := map[string][]json.RawMessage{}
	held = map[string][]json.RawMessage{}
	for table, reqs := range items {
		n := len(reqs) / 2
		if n > 0 {
			keep[table] = reqs[:n]
		}
		if len(reqs) > n {
			held[table] = reqs[n:]
		}
	}
	if len(keep) == 0 {
		return nil, held, nil
	}
	req["RequestItems"], err = json.Marshal(keep)
	if err != nil {
		return nil, nil, err
	}
	forward, err = json.Marshal(req)
	return forward, held, err
}

// addUnprocessed adds held items to the UnprocessedItems of a
// BatchWriteItem answer, after any that moto left unprocessed itself.
func addUnprocessed(answer []byte, held map[string][]json.RawMessage) ([]byte, error) {
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(answer, &resp); err != nil {
		return nil, fmt.Errorf("decode BatchWriteItem answer: %w", err)
	}
	unprocessed := map[string][]json.RawMessage{}
	if raw, ok := resp["UnprocessedItems"]; ok {
		if err := json.Unmarshal(raw, &unprocessed); err != nil {
			return nil, fmt.Errorf("decode UnprocessedItems: %w", err)
		}
	}
	for table, reqs := range held {
		unprocessed[table] = append(unprocessed[table], reqs...)
	}
	var err error
	if resp["UnprocessedItems"], err = json.Marshal(unprocessed); err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

func dynamoError(errType, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + errType, "message": msg})
	return b
}

// writeDynamoJSON answers as DynamoDB does, with the CRC32 of the body the
// SDKs check.
func writeDynamoJSON(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	h.Set("X-Amzn-Requestid", newRequestID())
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
}

// captured is moto's answer, held back from the caller.
type captured struct {
	code   int
	header http.Header
	body   []byte
}

func (c *captured) Header() http.Header { return c.header }

func (c *captured) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	c.body = append(c.body, p...)
	return len(p), nil
}

func (c *captured) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *captured) writeTo(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.code)
	_, _ = w.Write(c.body)
}

// forward sends the request to moto and returns its answer, decoded if
// compressed, instead of passing it on.
func (e *edge) forward(r *http.Request) *captured {
	c := &captured{header: http.Header{}}
	e.proxy.ServeHTTP(c, r)
	if c.code == 0 {
		c.code = http.StatusOK
	}
	if strings.EqualFold(c.header.Get("Content-Encoding"), "gzip") {
		if body, err := gunzip(c.body); err == nil {
			c.body = body
			c.header.Del("Content-Encoding")
			c.header.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	return c
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// sandboxByToken finds the process that signs with a session token: each
// process gets its own, so a fault hits the one that sent the request
// even when several processes of a function run at once (a Map state).
func (fs *functions) sandboxByToken(token string) *sandbox {
	if token == "" {
		return nil
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for sb := range fs.live {
		if sb.token == token {
			return sb
		}
	}
	return nil
}
