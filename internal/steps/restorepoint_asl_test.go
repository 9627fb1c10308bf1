package steps

import (
	"encoding/json"
	"os"
	"testing"
)

// TestNothingIsAppliedBeforeTheRestorePointIsReady walks the workflow's
// top-level states from Split: the restore point is started right after
// it, and every way from the Route Choice to an apply (ApplyUser, the
// EachUser Map) requires $.restorePoint.ready, which only
// CheckRestorePoint sets; the wizard's other branches (the waits, the
// previews) do not wait for it.
func TestNothingIsAppliedBeforeTheRestorePointIsReady(t *testing.T) {
	data, err := os.ReadFile("../../statemachine/import.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	type rule struct {
		Variable      string `json:"Variable"`
		StringEquals  string `json:"StringEquals"`
		BooleanEquals *bool  `json:"BooleanEquals"`
		And           []rule `json:"And"`
		Or            []rule `json:"Or"`
		Next          string `json:"Next"`
	}
	var def struct {
		States map[string]struct {
			Type    string `json:"Type"`
			Next    string `json:"Next"`
			Choices []rule `json:"Choices"`
			Default string `json:"Default"`
		} `json:"States"`
	}
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	if got := def.States["Split"].Next; got != "StartRestorePoint" {
		t.Errorf("Split.Next = %q, want StartRestorePoint", got)
	}
	if got := def.States["StartRestorePoint"].Next; got != "WhatNext" {
		t.Errorf("StartRestorePoint.Next = %q, want WhatNext", got)
	}
	ready := func(r rule) bool {
		for _, c := range r.And {
			if c.Variable == "$.restorePoint.ready" && c.BooleanEquals != nil && *c.BooleanEquals {
				return true
			}
		}
		return false
	}
	route := def.States["Route"]
	for _, r := range route.Choices {
		switch r.Next {
		case "ApplyUser", "EachUser":
			if !ready(r) {
				t.Errorf("Route goes to %s without $.restorePoint.ready: %+v", r.Next, r)
			}
		case "WaitForTenant", "PreviewUser":
			if ready(r) {
				t.Errorf("Route's way to %s waits for the restore point, want it not blocked", r.Next)
			}
		}
	}
	if route.Default == "ApplyUser" || route.Default == "EachUser" {
		t.Errorf("Route.Default = %s, want no apply by default", route.Default)
	}
	if got := def.States["CheckRestorePoint"].Next; got != "RestorePointReady" {
		t.Errorf("CheckRestorePoint.Next = %q, want RestorePointReady", got)
	}
	rp := def.States["RestorePointReady"]
	if len(rp.Choices) != 1 || rp.Choices[0].Next != "Route" || rp.Default != "WaitForRestorePoint" || def.States["WaitForRestorePoint"].Next != "CheckRestorePoint" {
		t.Errorf("RestorePointReady = %+v, want Route when ready, else WaitForRestorePoint, then CheckRestorePoint again", rp)
	}
}
