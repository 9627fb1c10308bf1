package steps

import (
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestTooLargeRowsAreRowErrorsNotBatchFailures(t *testing.T) {
	long := strings.Repeat("x", 32000)
	big := crm.Row{Number: 7, Fields: map[string]string{}}
	for _, f := range []string{"name", "street", "city", "region", "description", "group", "industry", "trade_name", "first_name", "last_name", "website", "external_id"} {
		big.Fields[f] = long
	}
	big.Fields["description"] = long + "y"

	e, ok := tooLarge(big)
	if !ok {
		t.Fatalf("tooLarge(12 cells of 32,000 characters) = false, want a row error")
	}
	if e.Row != 7 || e.Field != "description" || !strings.Contains(e.Reason, "more than one record can hold") {
		t.Errorf("tooLarge() = %+v, want row 7, the longest field, and the reason", e)
	}
	if _, ok := tooLarge(crm.Row{Number: 2, Fields: map[string]string{"name": long}}); ok {
		t.Errorf("tooLarge(one long cell) = true, want false")
	}
}
