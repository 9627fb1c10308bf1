package crmtest

import "sync"

// Faults makes chosen calls of a double's methods fail. The doubles but
// Records embed one, so a test can inject, say, a crm.Unavailable on the
// second Put.
type Faults struct {
	mu    sync.Mutex
	calls map[string]int
	fail  map[string]map[int]error
}

// FailCall makes the nth call (counting from 1) of method return err
// instead of doing anything. Calls before and after it succeed.
func (f *Faults) FailCall(method string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt(method, n, err)
}

// FailNext makes the next call of method return err: the way to fail a
// step's call after the steps before it have used the same double.
func (f *Faults) FailNext(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt(method, f.calls[method]+1, err)
}

func (f *Faults) failAt(method string, n int, err error) {
	if f.fail == nil {
		f.fail = map[string]map[int]error{}
	}
	if f.fail[method] == nil {
		f.fail[method] = map[int]error{}
	}
	f.fail[method][n] = err
}

// Calls reports how many times method was called, failed calls included.
func (f *Faults) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// call counts a call of method and returns the error it is to fail with,
// nil when it is to go ahead.
func (f *Faults) call(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[method]++
	return f.fail[method][f.calls[method]]
}
