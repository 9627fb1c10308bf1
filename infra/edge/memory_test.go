package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func TestVmHWMReadsAProcessesPeakResidentMemory(t *testing.T) {
	if got := vmHWM(os.Getpid()); got <= 0 {
		t.Errorf("vmHWM(%d) = %d, want the test's own peak, > 0", os.Getpid(), got)
	}
	if got := vmHWM(-1); got != 0 {
		t.Errorf("vmHWM(-1) = %d, want 0 for no such process", got)
	}
}

func TestMemoryKeepsEachFunctionsLargestPeak(t *testing.T) {
	m := newMemory()
	apply, preview := &function{Name: "stack-ApplyFunction-x", MemoryMB: 512}, &function{Name: "stack-PreviewFunction-y", MemoryMB: 1024}
	m.observe(apply, 30<<20)
	m.observe(apply, 20<<20)
	m.observe(preview, 0) // unreadable: counted, no peak
	got := m.snapshot("")
	want := map[string]functionMemory{
		apply.Name:   {PeakRSSBytes: 30 << 20, MemoryMB: 512, Invocations: 2},
		preview.Name: {PeakRSSBytes: 0, MemoryMB: 1024, Invocations: 1},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("snapshot()[%s] = %+v, want %+v", name, got[name], w)
		}
	}
	m.reset("Apply")
	if got := m.snapshot(""); len(got) != 1 || got[preview.Name] != want[preview.Name] {
		t.Errorf("snapshot() after reset(Apply) = %+v, want only %s", got, preview.Name)
	}
}

func TestInvokeRecordsTheFunctionsPeakMemory(t *testing.T) {
	needCloud(t)
	name := createFunction(t, 5, nil)
	decodeReply(t, invoke(t, name, `{}`))
	decodeReply(t, invoke(t, name, `{}`))

	rec := httptest.NewRecorder()
	testEdge.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_edge/memory?function="+name, nil))
	var got map[string]functionMemory
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("GET /_edge/memory = %d %s: %v", rec.Code, rec.Body, err)
	}
	fm := got[name]
	// The echo bootstrap is a small Go program: a few MB resident.
	if fm.Invocations != 2 || fm.PeakRSSBytes < 1<<20 || fm.PeakRSSBytes > 256<<20 {
		t.Errorf("GET /_edge/memory[%s] = %+v, want 2 invocations and a peak of 1 to 256 MB", name, fm)
	}
}
