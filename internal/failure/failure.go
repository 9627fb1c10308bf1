// Package failure is the application's one error type. The domain creates
// failures with a message a tenant can read; only the edges (a Lambda
// handler, the HTTP API, the CLI) turn codes into their own terms: an error
// type name Step Functions routes on, an HTTP status, an exit code.
package failure

import (
	"errors"
	"fmt"
)

// Code classifies a failure by what the caller can do about it.
type Code string

const (
	Invalid     Code = "invalid"     // the input is wrong: fix the file or the request
	Limit       Code = "limit"       // the input is over a limit of the tenant
	Forbidden   Code = "forbidden"   // the tenant may not do this
	NotFound    Code = "not_found"   // what was asked for does not exist
	Conflict    Code = "conflict"    // the data changed under us
	Unavailable Code = "unavailable" // a dependency is busy or down: retry later
	Internal    Code = "internal"    // a bug or an unknown error
)

// Error is a failure with a code and a message meant for the tenant.
type Error struct {
	Code    Code
	Message string
	Err     error // the cause, for logs; never shown to the tenant
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a failure with a formatted tenant-readable message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns a failure that keeps err as its cause.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first failure in err's chain, or Internal.
func CodeOf(err error) Code {
	var f *Error
	if errors.As(err, &f) {
		return f.Code
	}
	return Internal
}

// Message returns what a tenant may be told about err: the message of the
// first failure in its chain, or a generic sentence that leaks nothing.
func Message(err error) string {
	var f *Error
	if errors.As(err, &f) {
		return f.Message
	}
	return "internal error: the import could not be completed; support has the details"
}
