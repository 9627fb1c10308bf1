package crmtest

import (
	"context"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestNotifierRecordsEventsAsJSON(t *testing.T) {
	ctx := context.Background()
	n := NewNotifier()
	sent := []struct {
		detailType string
		detail     any
		want       string
	}{
		{crm.ImportSucceeded, crm.Summary{ImportID: "imp-1", Status: crm.Succeeded}, `"status":"SUCCEEDED"`},
		{crm.ImportFailed, crm.Summary{ImportID: "imp-2", Status: crm.Failed}, `"status":"FAILED"`},
	}
	for _, s := range sent {
		if err := n.Send(ctx, s.detailType, s.detail); err != nil {
			t.Fatalf("Send(%s) error = %v", s.detailType, err)
		}
	}
	got := n.Events()
	if len(got) != len(sent) {
		t.Fatalf("Events() = %d events, want %d", len(got), len(sent))
	}
	for i, s := range sent {
		if got[i].DetailType != s.detailType || !strings.Contains(string(got[i].Detail), s.want) {
			t.Errorf("Events()[%d] = %s %s, want %s with %s", i, got[i].DetailType, got[i].Detail, s.detailType, s.want)
		}
	}
}
