package failure

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndMessageSurviveWrapping(t *testing.T) {
	base := New(Limit, "the file has %d rows, the limit is %d", 120000, 100000)
	wrapped := fmt.Errorf("validate acme/imp-1: %w", base)

	if got := CodeOf(wrapped); got != Limit {
		t.Errorf("CodeOf(wrapped) = %q, want %q", got, Limit)
	}
	if got, want := Message(wrapped), "the file has 120000 rows, the limit is 100000"; got != want {
		t.Errorf("Message(wrapped) = %q, want %q", got, want)
	}
}

func TestUnknownErrorsLeakNothing(t *testing.T) {
	err := errors.New("dial tcp 10.0.0.1:443: secret internals")
	if got := CodeOf(err); got != Internal {
		t.Errorf("CodeOf(plain) = %q, want %q", got, Internal)
	}
	if got := Message(err); got == err.Error() {
		t.Errorf("Message(plain) = %q, want a generic message", got)
	}
}
