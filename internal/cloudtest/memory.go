package cloudtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// FunctionMemory is one deployed function's peak memory as the edge saw
// its processes (Lambda's "Max Memory Used"), with its invocations and
// the memory it is configured with.
type FunctionMemory struct {
	PeakRSSBytes int64 `json:"peakRSSBytes"`
	MemoryMB     int64 `json:"memoryMB"`
	Invocations  int   `json:"invocations"`
}

// FunctionsMemory reads the peak memory of the deployed functions whose
// name contains function (every one when empty), by deployed name.
func (c Cloud) FunctionsMemory(t testing.TB, function string) map[string]FunctionMemory {
	t.Helper()
	resp, err := http.Get(c.adminURL(t, "/_edge/memory", url.Values{"function": {function}}))
	if err != nil {
		t.Fatalf("edge memory: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("edge memory: %s", resp.Status)
	}
	var m map[string]FunctionMemory
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("edge memory: %v", err)
	}
	return m
}

// ResetFunctionsMemory forgets the peaks FunctionsMemory reads; processes
// that stay warm keep their high-water mark, so a peak read after a reset
// is that of the processes' whole lives.
func (c Cloud) ResetFunctionsMemory(t testing.TB, function string) {
	t.Helper()
	resp, err := http.Post(c.adminURL(t, "/_edge/memory/reset", url.Values{"function": {function}}), "", nil)
	if err != nil {
		t.Fatalf("reset edge memory: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("reset edge memory: %s", resp.Status)
	}
}
