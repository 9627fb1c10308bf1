package main

import (
	"strings"
	"testing"
)

// TestStatusSaysWhatAQueuedImportWaitsFor: an import waiting for another
// one says which, in words.
func TestStatusSaysWhatAQueuedImportWaitsFor(t *testing.T) {
	tests := []struct {
		name, queued string
		want         []string
	}{
		{"a user's records", `[{"user":"u-anna","email":"anna@example.com","import":"imp-sync"}]`,
			[]string{"waits for import imp-sync to finish with anna@example.com's records"}},
		{"a slot and a user without an e-mail", `[{"import":"imp-2","runningImports":5},{"user":"u-bo","import":"imp-3"}]`,
			[]string{"waits for one of your 5 running imports to end (import imp-2 is one)", "waits for import imp-3 to finish with u-bo's records"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signedIn(t, map[string][]reply{"GET /imports/imp1": answer(importWith("PREVIEWING", 0, 3, `,"queuedBehind":`+tt.queued))})
			code, out, errOut := run(t, "status", "imp1")
			if code != ExitOK {
				t.Fatalf("crmimport status = %d (%s), want 0", code, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("crmimport status printed\n%s\nwant %q", out, want)
				}
			}
		})
	}
}
