package value

import "fmt"

// Error is a value that cannot be read. Reason completes a sentence about
// the value: "is not a date: expected a day like 31.12.2026".
type Error struct {
	Reason string
}

func (e *Error) Error() string { return e.Reason }

func fail(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}
