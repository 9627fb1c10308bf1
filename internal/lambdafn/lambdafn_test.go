package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// errorName is the name the Lambda runtime gives a returned error: its type
// name, without the pointer.
func errorName(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func TestEachKindHasTheNameTheWorkflowRoutesOn(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantName    string
		wantMessage string
	}{
		{"a busy database is retried", fmt.Errorf("apply anna: %w", crm.Wrap(errors.New("ThrottlingException"), crm.Unavailable, "the database is busy")),
			RetryableName, "the database is busy"},
		{"a held lease waits", crm.LeaseBusy(crm.Lease{User: "anna", Entity: "customers"}, "imp-2"),
			BusyName, "waiting for import imp-2, which is importing the customers of user anna"},
		{"a bad file is refused with the tenant's message", fmt.Errorf("validate: %w", crm.Errorf(crm.Invalid, "the file has column titles but no rows to import")),
			RefusedName, "the file has column titles but no rows to import"},
		{"a limit is refused", crm.Errorf(crm.Refused, "one import may hold at most 2 rows"), RefusedName, "one import may hold at most 2 rows"},
		{"a missing configuration is refused", crm.Errorf(crm.NotFound, "there is no saved import configuration named \"x\""), RefusedName, "there is no saved import configuration named \"x\""},
		{"a conflict is refused", crm.Errorf(crm.Conflict, "import imp-1 has already ended"), RefusedName, "import imp-1 has already ended"},
		{"an internal error keeps its chain for operators", fmt.Errorf("write plan: %w", crm.Wrap(errors.New("ValidationException: item too large"), crm.Internal, "write records")),
			InternalName, "write plan: write records: ValidationException: item too large"},
		{"an unclassified error is internal", errors.New("disk full"), InternalName, "disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ForWorkflow(tt.err)
			if name := errorName(got); name != tt.wantName {
				t.Errorf("ForWorkflow(%v) is a %s, want %s", tt.err, name, tt.wantName)
			}
			if got.Error() != tt.wantMessage {
				t.Errorf("ForWorkflow(%v).Error() = %q, want %q", tt.err, got.Error(), tt.wantMessage)
			}
		})
	}
	if got := ForWorkflow(nil); got != nil {
		t.Errorf("ForWorkflow(nil) = %v, want nil", got)
	}
}

type input struct{ Tenant, ID string }

func (in input) Logger(base *slog.Logger, step string) *slog.Logger {
	return base.With("tenant", in.Tenant, "importId", in.ID, "step", step)
}

func TestHandlerLogsAFailureOnceWithTheImport(t *testing.T) {
	var logs bytes.Buffer
	base := slog.New(slog.NewJSONHandler(&logs, nil))
	h := Handler(base, "validate", func(ctx context.Context, in input) (string, error) {
		return "partial", crm.Errorf(crm.Invalid, "the file is empty")
	})
	out, err := h(context.Background(), input{Tenant: "acme", ID: "imp-1"})
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Message != "the file is empty" {
		t.Fatalf("Handler returned %v (%T), want a RefusedError saying the file is empty", err, err)
	}
	if out != "partial" {
		t.Errorf("Handler output = %q, want the handler's own %q", out, "partial")
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("Handler logged %d lines, want 1:\n%s", len(lines), logs.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"tenant": "acme", "importId": "imp-1", "step": "validate", "kind": "invalid"} {
		if line[k] != want {
			t.Errorf("log line %s = %v, want %q", k, line[k], want)
		}
	}
}

func TestHandlerPassesSuccessThrough(t *testing.T) {
	var logs bytes.Buffer
	h := Handler(slog.New(slog.NewJSONHandler(&logs, nil)), "split", func(ctx context.Context, in input) (int, error) { return 7, nil })
	if out, err := h(context.Background(), input{}); out != 7 || err != nil {
		t.Errorf("Handler = %d, %v, want 7, nil", out, err)
	}
	if logs.Len() != 0 {
		t.Errorf("Handler logged %q on success, want nothing", logs.String())
	}
}
