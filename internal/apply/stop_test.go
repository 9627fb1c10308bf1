package apply

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crmtest"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
)

// stopOps is a plan of creates with an unchanged record and a skipped row
// after every third: writing ops and ops that write nothing interleaved.
func stopOps() []plan.Op {
	var ops []plan.Op
	for i := range 40 {
		ops = append(ops, create(i+10, fmt.Sprintf("n%03d", i), fmt.Sprintf("Firma %d", i)))
		if i%3 == 0 {
			ops = append(ops, plan.Op{Kind: plan.OpUnchanged, Row: 100 + i, ID: fmt.Sprintf("u%03d", i)},
				plan.Op{Kind: plan.OpSkip, Row: 200 + i, Reason: "no key"})
		}
	}
	return ops
}

// runInParts runs ops in chunks of 5, each run stopped once it has done
// at least stopAt ops (0: never) and the next given the ops left; it
// returns the counts added up, the outcomes and the runs.
func runInParts(t *testing.T, store *crmtest.Records, ops []plan.Op, stopAt int) (Result, []string, int) {
	t.Helper()
	var got []string
	var sum Result
	runs := 0
	for len(ops) > 0 {
		runs++
		done := 0
		in := Input{Scope: scope, Ops: plan.Ops(ops), Total: len(ops), ChunkSize: 5,
			Outcome: func(o outcome.Row) error {
				got = append(got, strings.TrimSuffix(fmt.Sprintf("%d %s %s: %s", o.Row, o.ID, o.Status, o.Reason), ": "))
				return nil
			},
		}
		if stopAt > 0 {
			in.Stop = func(n int) bool { done = n; return n >= stopAt }
		}
		res, err := Run(context.Background(), store, in)
		if err != nil {
			t.Fatalf("Run() error = %v", err)
		}
		if !res.Stopped {
			done = len(ops)
		}
		if done == 0 || done > len(ops) {
			t.Fatalf("Run() stopped after %d ops of %d", done, len(ops))
		}
		sum.Created += res.Created
		sum.Unchanged += res.Unchanged
		sum.Skipped += res.Skipped
		ops = ops[done:]
	}
	return sum, got, runs
}

func TestRunStopsAfterAChunkAndTheRestGoesOn(t *testing.T) {
	whole := newStore()
	wantRes, want, _ := runInParts(t, whole, stopOps(), 0)
	for _, stopAt := range []int{1, 7, 25} {
		t.Run(fmt.Sprintf("stop after %d ops", stopAt), func(t *testing.T) {
			store := newStore()
			sum, got, runs := runInParts(t, store, stopOps(), stopAt)
			if runs < 2 {
				t.Errorf("Run() with Stop after %d ops ran %d times, want several", stopAt, runs)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("outcomes of %d runs = %v, want %v", runs, got, want)
			}
			if sum.Created != wantRes.Created || sum.Unchanged != wantRes.Unchanged || sum.Skipped != wantRes.Skipped {
				t.Errorf("counts of %d runs = %+v, want %+v", runs, sum, wantRes)
			}
			if g, w := render(t, store), render(t, whole); !reflect.DeepEqual(g, w) {
				t.Errorf("records after %d runs = %v, want %v", runs, g, w)
			}
		})
	}
}
