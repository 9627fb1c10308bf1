package crm

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindAndMessageSurviveWrapping(t *testing.T) {
	base := Errorf(Refused, "the file has %d rows, the limit is %d", 120000, 100000)
	wrapped := fmt.Errorf("validate acme/imp-1: %w", base)

	if got := KindOf(wrapped); got != Refused {
		t.Errorf("KindOf(wrapped) = %q, want %q", got, Refused)
	}
	if got, want := Message(wrapped), "the file has 120000 rows, the limit is 100000"; got != want {
		t.Errorf("Message(wrapped) = %q, want %q", got, want)
	}
}

func TestUnknownErrorsLeakNothing(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"an unclassified error", errors.New("dial tcp 10.0.0.1:443: secret internals")},
		{"an internal error with a message", Wrap(errors.New("secret"), Internal, "decode record %s", "X1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != Internal {
				t.Errorf("KindOf(%v) = %q, want %q", tt.err, got, Internal)
			}
			if got := Message(tt.err); got != InternalMessage {
				t.Errorf("Message(%v) = %q, want %q", tt.err, got, InternalMessage)
			}
		})
	}
}

func TestNilHasNoKind(t *testing.T) {
	if got := KindOf(nil); got != "" {
		t.Errorf("KindOf(nil) = %q, want none", got)
	}
}

func TestErrorNamesItsCauseOnce(t *testing.T) {
	cause := errors.New("the file is empty")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a message and its cause", Wrap(cause, Invalid, "saved configuration %q", "nightly"), `saved configuration "nightly": the file is empty`},
		{"a message that is its cause's words", Wrap(cause, Invalid, "%s", cause), "the file is empty"},
		{"a message that ends with its cause", Wrap(cause, Invalid, "the file cannot be read: %v", cause), "the file cannot be read: the file is empty"},
		{"no message", &Error{Kind: Internal, Err: cause}, "the file is empty"},
		{"no cause", Errorf(Refused, "over the limit"), "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
