package steps

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestStatesThatTakeASlotOrALeaseRetryBusyError: a step that takes the
// import's slot (validate, and the wizard step after an answer) or a
// user's lease (preview, apply) fails with BusyError while another import
// holds it; its state must retry it, not fail the import.
func TestStatesThatTakeASlotOrALeaseRetryBusyError(t *testing.T) {
	data, err := os.ReadFile("../../statemachine/import.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	type state struct {
		Type  string `json:"Type"`
		Retry []struct {
			ErrorEquals []string `json:"ErrorEquals"`
			MaxAttempts *int     `json:"MaxAttempts"`
		} `json:"Retry"`
		ItemProcessor *struct {
			States map[string]json.RawMessage `json:"States"`
		} `json:"ItemProcessor"`
	}
	states := map[string]state{}
	var walk func(map[string]json.RawMessage)
	walk = func(raw map[string]json.RawMessage) {
		for name, r := range raw {
			var s state
			if err := json.Unmarshal(r, &s); err != nil {
				t.Fatalf("state %s: %v", name, err)
			}
			states[name] = s
			if s.ItemProcessor != nil {
				walk(s.ItemProcessor.States)
			}
		}
	}
	var def struct {
		States map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	walk(def.States)
	for _, name := range []string{"Validate", "WhatNext", "PreviewUser", "ApplyUser", "Preview", "Apply"} {
		s, ok := states[name]
		retried := false
		for _, r := range s.Retry {
			if slices.Contains(r.ErrorEquals, "BusyError") && (r.MaxAttempts == nil || *r.MaxAttempts > 0) {
				retried = true
			}
		}
		if !ok || !retried {
			t.Errorf("state %s (found %v) retries BusyError = %v, want true", name, ok, retried)
		}
	}
}
