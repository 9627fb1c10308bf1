package steps

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// chunkRows is a sync of anna's customers big enough for several chunks:
// rows that update, leave unchanged, create and fail, and records the file
// does not name, which update_delete deletes.
func chunkRows(f *fixture, n int) string {
	var b strings.Builder
	b.WriteString("Customer number,Name,Email,Agent email\n")
	for i := 1; i <= n; i++ {
		number := fmt.Sprintf("%05d", i)
		email := fmt.Sprintf("c%d@example.com", i)
		switch {
		case i%11 == 0:
			email = "broken@" // a row error
		case i%3 == 0: // an existing record, changed by the row
			f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "r" + number, Version: 2,
				Fields: map[string]string{"customer_number": number, "name": "Old " + number, "email": email}})
		case i%3 == 1 && i%2 == 0: // an existing record, as the row has it
			f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "r" + number, Version: 1,
				Fields: map[string]string{"customer_number": number, "name": "Firma " + number, "email": email}})
		}
		fmt.Fprintf(&b, "%s,Firma %s,%s,anna@acme.example\n", number, number, email)
	}
	for i := 1; i <= n/10; i++ { // named by no row: deleted
		number := fmt.Sprintf("9%05d", i)
		f.records.Put(tenant, anna.ID, crm.Record{Entity: "customers", ID: "r" + number, Version: 1,
			Fields: map[string]string{"customer_number": number, "name": "Spare"}})
	}
	return b.String()
}

// manyPreviewed is anna's plan of chunkRows.
func (f *fixture) manyPreviewed(t *testing.T, n int) UserPlan {
	t.Helper()
	f.tenants.SaveConfig(context.Background(), tenant, "sync", []byte(syncConfig))
	s := f.splitted(t, chunkRows(f, n), "sync")
	task := UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: f.mapItems(t, s)[0]}
	p, err := f.preview().Handle(context.Background(), task)
	if err != nil {
		t.Fatalf("Preview.Handle(%s) error = %v", task.User.ID, err)
	}
	return p
}

// applied is what an apply leaves: the row log, the result file, the
// records and the job's progress.
type applied struct {
	outcomes []byte
	result   []byte
	records  []crm.Record
	done     int
}

func (f *fixture) applied(t *testing.T, p UserPlan) applied {
	t.Helper()
	w := p.work()
	o, ok := f.files.Object(w.Outcomes(p.User.ID))
	if !ok {
		t.Fatalf("no row log %s", w.Outcomes(p.User.ID))
	}
	r, ok := f.files.Object(w.Result(p.User.ID))
	if !ok {
		t.Fatalf("no result %s", w.Result(p.User.ID))
	}
	recs, err := f.records.Query(context.Background(), tenant, anna.ID, "customers")
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(recs, func(a, b crm.Record) int { return strings.Compare(a.ID, b.ID) })
	return applied{outcomes: o.Data, result: r.Data, records: recs, done: f.job(t, p.ImportID).Done}
}

// stepAll invokes a's Step as the workflow does, on its own output until it
// answers the result, calling between before each invocation after the
// first; it returns the result and the invocations.
func stepAll(t *testing.T, f *fixture, a *Apply, p UserPlan, between func(n int, p UserPlan) UserPlan) (crm.UserResult, int) {
	t.Helper()
	lastDone := 0
	for n := 1; ; n++ {
		s, err := a.Step(context.Background(), p)
		if err != nil {
			t.Fatalf("Step() invocation %d error = %v", n, err)
		}
		if done := f.job(t, p.ImportID).Done; done < lastDone {
			t.Errorf("job done after invocation %d = %d, want at least %d: progress goes only forward", n, done, lastDone)
		} else {
			lastDone = done
		}
		if s.Next == nil {
			return s.Result, n
		}
		if s.Next.Resume == nil || s.Next.Resume.Done <= p.Resume.done() {
			t.Fatalf("Step() invocation %d resume = %+v after %+v, want it further on", n, s.Next.Resume, p.Resume)
		}
		p = *s.Next
		if between != nil {
			p = between(n, p)
		}
	}
}

func TestApplyInSeveralInvocationsLeavesWhatOneLeaves(t *testing.T) {
	const rows = 1234
	whole := newFixture(t)
	p := whole.manyPreviewed(t, rows)
	wantRes, n := stepAll(t, whole, whole.apply(), p, nil)
	if n != 1 {
		t.Fatalf("Step() without a bound took %d invocations, want 1", n)
	}
	want := whole.applied(t, p)
	if want.done != p.Preview.Total() {
		t.Fatalf("job done after one invocation = %d, want %d", want.done, p.Preview.Total())
	}

	tests := []struct {
		name    string
		maxOps  int
		between func(f *fixture, a *Apply) func(n int, p UserPlan) UserPlan
		// wantMin is the fewest invocations the bound allows.
		wantMin int
	}{
		{name: "a bound of 100 ops", maxOps: 100, wantMin: 8},
		{name: "a bound of 1 op stops after every chunk", maxOps: 1, wantMin: 8},
		{name: "a bound larger than the plan takes one invocation", maxOps: 100_000, wantMin: 1},
		{
			name:   "an invocation that crashes after its writes is run again",
			maxOps: 300,
			between: func(f *fixture, a *Apply) func(int, UserPlan) UserPlan {
				return func(n int, p UserPlan) UserPlan {
					if n != 2 {
						return p
					}
					// The third invocation writes its chunks, then its part
					// of the row log cannot be uploaded: the workflow runs
					// it again on the same input.
					f.files.FailNext("PutFile", crm.Errorf(crm.Unavailable, "file storage is busy"))
					_, err := a.Step(context.Background(), p)
					checkError(t, "Step()", err, crm.Unavailable, "file storage is busy")
					return p
				}
			},
			wantMin: 3,
		},
		{
			name:   "an invocation whose answer was lost is run again",
			maxOps: 300,
			between: func(f *fixture, a *Apply) func(int, UserPlan) UserPlan {
				return func(n int, p UserPlan) UserPlan {
					if n == 1 {
						// The second invocation ran to its stop, but its
						// answer never reached the workflow.
						if _, err := a.Step(context.Background(), p); err != nil {
							t.Fatalf("Step() error = %v", err)
						}
					}
					return p
				}
			},
			wantMin: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.manyPreviewed(t, rows)
			a := f.apply()
			a.MaxOps = tt.maxOps
			var between func(int, UserPlan) UserPlan
			if tt.between != nil {
				between = tt.between(f, a)
			}
			res, n := stepAll(t, f, a, p, between)
			if n < tt.wantMin {
				t.Errorf("Step() with at most %d ops took %d invocations, want at least %d", tt.maxOps, n, tt.wantMin)
			}
			if !reflect.DeepEqual(res, wantRes) {
				t.Errorf("Step() result = %+v, want %+v, as in one invocation", res, wantRes)
			}
			got := f.applied(t, p)
			if !bytes.Equal(got.outcomes, want.outcomes) {
				t.Errorf("outcomes/%s.jsonl of %d invocations (%d lines) differ from one invocation's (%d lines)",
					anna.ID, n, bytes.Count(got.outcomes, []byte("\n")), bytes.Count(want.outcomes, []byte("\n")))
			}
			if !bytes.Equal(got.result, want.result) {
				t.Errorf("results/%s.json = %s, want %s", anna.ID, got.result, want.result)
			}
			if !reflect.DeepEqual(got.records, want.records) {
				t.Errorf("records after %d invocations differ from those after one (%d, want %d)", n, len(got.records), len(want.records))
			}
			if got.done != want.done {
				t.Errorf("job done = %d, want %d", got.done, want.done)
			}
		})
	}
}

func TestApplyGoesOnWhereTheLastInvocationStopped(t *testing.T) {
	f := newFixture(t)
	p := f.manyPreviewed(t, 500)
	a := f.apply()
	a.MaxOps = 200
	s, err := a.Step(context.Background(), p)
	if err != nil {
		t.Fatalf("Step() error = %v", err)
	}
	if s.Next == nil || s.Next.Resume == nil {
		t.Fatalf("Step() with at most 200 ops = %+v, want a resume", s)
	}
	r := s.Next.Resume
	if r.Done < 200 || r.Done >= p.Preview.Total() || r.Parts != 1 {
		t.Errorf("Step() resume = %+v, want at least 200 of %d ops done, in one part", r, p.Preview.Total())
	}
	if _, ok := f.files.Object(p.work().Outcomes(anna.ID)); ok {
		t.Errorf("outcomes/%s.jsonl written by an invocation that stopped, want only its part", anna.ID)
	}
	part, ok := f.files.Object(outcomesPart(p.work(), anna.ID, 0))
	if !ok {
		t.Fatalf("no part 0 of the row log")
	}
	if lines := bytes.Count(part.Data, []byte("\n")); lines != r.Done {
		t.Errorf("part 0 of the row log has %d lines, want one per op done, %d", lines, r.Done)
	}
	// The answer the workflow passes on says where to go on, and is small.
	raw, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte(`"resume":{"done":`)) || len(raw) > 2048 {
		t.Errorf("Step() answer = %s, want the plan with its resume, small", raw)
	}
}
