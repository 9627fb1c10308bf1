package cloudtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Fault actions the edge injects.
const (
	// Crash lets the request reach moto, so a write lands, then kills the
	// function's process before it reads the answer (a Lambda out of memory
	// or time). The invoke fails with Runtime.ExitError.
	Crash = "crash"
	// Throttle answers DynamoDB's ProvisionedThroughputExceededException.
	Throttle = "throttle"
	// Unprocessed writes the first half of a BatchWriteItem and answers the
	// rest as UnprocessedItems.
	Unprocessed = "unprocessed"
)

// Fault is a rule of the edge's fault injection: the requests a deployed
// function makes to Service's Operation, past the first After, are faulted
// Times times with Action. Rules never touch a test's own clients.
type Fault struct {
	// Function is part of the deployed name, such as "ApplyFunction".
	Function  string `json:"function"`
	Service   string `json:"service"`   // SigV4 name, "dynamodb"
	Operation string `json:"operation"` // "BatchWriteItem"
	After     int    `json:"after"`
	Times     int    `json:"times"`
	Action    string `json:"action"`

	// Matched and Injected are what the edge counted: the requests the
	// rule matched and those it faulted (read them with Faults).
	Matched  int `json:"matched,omitempty"`
	Injected int `json:"injected,omitempty"`
}

// InjectFaults replaces the edge's fault rules and clears them when the
// test ends. The rules hold for every test binary sharing the edge: a test
// that injects faults must not run in parallel with another that does, and
// should name a function only its own work exercises at that moment.
func (c Cloud) InjectFaults(t testing.TB, rules ...Fault) {
	t.Helper()
	body, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ClearFaults(t) })
	c.faultsRequest(t, http.MethodPost, body, nil)
}

// ClearFaults removes every fault rule.
func (c Cloud) ClearFaults(t testing.TB) {
	t.Helper()
	c.faultsRequest(t, http.MethodDelete, nil, nil)
}

// Faults reads the current rules with what each has matched and injected.
func (c Cloud) Faults(t testing.TB) []Fault {
	t.Helper()
	var rules []Fault
	c.faultsRequest(t, http.MethodGet, nil, &rules)
	return rules
}

func (c Cloud) faultsRequest(t testing.TB, method string, body []byte, out any) {
	t.Helper()
	req, err := http.NewRequest(method, c.adminURL(t, "/_edge/faults", nil), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s edge faults: %v", method, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s edge faults: %s: %s", method, resp.Status, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s edge faults: decode %s: %v", method, data, err)
		}
	}
}
