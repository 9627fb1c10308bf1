package crm

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it. Only the
// edges turn kinds into their own terms: a Step Functions error name in a
// Lambda (internal/lambdafn), an exit code in the CLI, later an HTTP status.
type Kind string

const (
	Invalid     Kind = "invalid"     // the input is wrong: fix the file, the configuration or the request
	Refused     Kind = "refused"     // the input is fine but may not be imported: over a limit, not allowed
	Conflict    Kind = "conflict"    // the data changed under us, or the job has already ended
	NotFound    Kind = "not_found"   // what was asked for does not exist
	Unavailable Kind = "unavailable" // a dependency is busy or down: a later attempt may pass
	Busy        Kind = "busy"        // another import holds what this one needs: wait for it to finish
	Internal    Kind = "internal"    // a bug or an error nobody classified: retrying will not help
)

// Error is the application's one error type: a kind and a message written
// for the tenant. Err, the cause, is for the logs and never shown.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	cause := e.Err.Error()
	// A message that already ends with its cause's words (a reader's
	// refusal, passed on as the tenant reads it) says them once.
	switch {
	case e.Message == "":
		return cause
	case strings.HasSuffix(e.Message, cause):
		return e.Message
	}
	return e.Message + ": " + cause
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error of kind with a tenant-readable message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind that keeps err as its cause.
func Wrap(err error, kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal
// for an error nobody classified. A nil error has no kind ("").
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// InternalMessage is what a tenant is told of an error that is not theirs.
const InternalMessage = "internal error: the import could not be completed; support has the details"

// Message returns what a tenant may be told about err: the message of the
// first *Error in its chain, or a sentence that leaks nothing for an
// internal error.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal && e.Message != "" {
		return e.Message
	}
	return InternalMessage
}
