package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// generated makes n rows and about n existing records of one user, from a
// seed: keys of one or two fields, some empty (partial keys), repeated in
// the file and among the records, rows with validation errors, records the
// file does not name, numbers and dates under each policy.
func generated(seed uint64, n int) ([]crm.Record, []crm.Row) {
	rnd := rand.New(rand.NewPCG(seed, 7))
	value := func(prefix string, spread int) string {
		if rnd.IntN(12) == 0 {
			return ""
		}
		return fmt.Sprintf("%s%d", prefix, rnd.IntN(spread))
	}
	fields := func() map[string]string {
		f := map[string]string{"customer_no": value("K", n), "city": value("City ", 6), "name": value("Firma ", n*2),
			"revenue": fmt.Sprintf("%d.%02d", rnd.IntN(1000), rnd.IntN(100)), "last_visit": fmt.Sprintf("2026-0%d-1%d", 1+rnd.IntN(9), rnd.IntN(10))}
		for k, v := range f {
			if v == "" && rnd.IntN(2) == 0 {
				delete(f, k)
			}
		}
		return f
	}
	var existing []crm.Record
	for i := range n {
		existing = append(existing, crm.Record{Entity: "customer", ID: fmt.Sprintf("r%05d", rnd.IntN(n*4)), Version: int64(1 + i%3), Fields: fields()})
	}
	// Record IDs are unique in a store.
	seen := map[string]bool{}
	unique := existing[:0]
	for _, r := range existing {
		if !seen[r.ID] {
			seen[r.ID] = true
			unique = append(unique, r)
		}
	}
	var rows []crm.Row
	for i := range n {
		r := crm.Row{Number: i + 2, Fields: fields()}
		if rnd.IntN(6) == 0 { // a record as the file has it: unchanged
			r.Fields = maps.Clone(unique[rnd.IntN(len(unique))].Fields)
		}
		if rnd.IntN(4) == 0 { // the id of a record, for the id-field key
			r.Fields["record_id"] = unique[rnd.IntN(len(unique))].ID
		}
		if rnd.IntN(15) == 0 {
			r.Errors = []crm.RowError{{Row: r.Number, Column: "Revenue", Field: "revenue", Value: "x", Reason: "is not a number"}}
		}
		rows = append(rows, r)
	}
	return unique, rows
}

func TestStreamPlansAsBuildDoes(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 97 // many sorted runs to merge
	kinds := map[string]Kind{"revenue": Number, "last_visit": Date}
	options := []Options{
		{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}, Kinds: kinds},
		{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no", "city"}, Kinds: kinds, EmptyClears: true,
			Policies: map[string]crm.Policy{"last_visit": crm.OverwriteIfGreater, "name": crm.Keep}},
		{Entity: "customer", Mode: crm.UpdateOnly, KeyFields: []string{"name", "city"}, Kinds: kinds, SampleSize: 5},
		{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no", "name"}, Kinds: kinds,
			Required: []Required{{Field: "city", Column: "City"}}},
		{Entity: "customer", Mode: crm.Add, KeyFields: []string{"customer_no"}, Kinds: kinds},
		{Entity: "customer", Mode: crm.Add, ImportID: "imp-1", User: "u1"},
		{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"record_id"}, IDField: "record_id", IDColumn: "Record Id"},
	}
	for seed := range uint64(4) {
		for i, o := range options {
			t.Run(fmt.Sprintf("seed %d options %d (%s, %v)", seed, i, o.Mode, o.KeyFields), func(t *testing.T) {
				existing, rows := generated(seed, 300+int(seed)*250)
				want, err := Build(existing, rows, o)
				if err != nil {
					t.Fatalf("Build() error = %v", err)
				}
				var wantOps bytes.Buffer
				if err := WriteOps(&wantOps, want.Ops); err != nil {
					t.Fatal(err)
				}

				var gotOps bytes.Buffer
				w := NewWriter(&gotOps)
				each := func(each func(crm.Row) error) error {
					for _, r := range rows {
						if err := each(r); err != nil {
							return err
						}
					}
					return nil
				}
				got, err := Stream(context.Background(), existing, each, o, t.TempDir(), w.Write)
				if err != nil {
					t.Fatalf("Stream() error = %v", err)
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(gotOps.Bytes(), wantOps.Bytes()) {
					t.Errorf("Stream() ops (%d bytes) differ from Build()'s (%d bytes)", gotOps.Len(), wantOps.Len())
				}
				gotJSON, _ := json.Marshal(got)
				wantJSON, _ := json.Marshal(want.Preview)
				if !bytes.Equal(gotJSON, wantJSON) {
					t.Errorf("Stream() preview = %s, want %s", gotJSON, wantJSON)
				}
			})
		}
	}
}

func TestStreamRefusesRowsThatChangeBetweenReadings(t *testing.T) {
	existing, rows := generated(1, 50)
	o := Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no"}}
	readings := 0
	each := func(each func(crm.Row) error) error {
		readings++
		for i, r := range rows {
			if readings == 2 && i == 10 {
				r.Number = 9999
			}
			if err := each(r); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := Stream(context.Background(), existing, each, o, t.TempDir(), func(Op) error { return nil })
	if err == nil {
		t.Errorf("Stream() of rows that change = nil error, want one")
	}
}

// A sort that cannot write its runs (a full or missing /tmp) fails the
// plan in words, instead of leaving the planner waiting for ever.
func TestStreamFailsWhenItsSortCannotWrite(t *testing.T) {
	defer func(n int) { streamChunk = n }(streamChunk)
	streamChunk = 10
	existing, rows := generated(1, 5000) // more ops than the planner's channel holds
	each := func(each func(crm.Row) error) error {
		for _, r := range rows {
			if err := each(r); err != nil {
				return err
			}
		}
		return nil
	}
	// A directory under a file: it cannot be made.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Stream(context.Background(), existing, each, Options{Entity: "customer", Mode: crm.Add, KeyFields: []string{"customer_no"}},
			filepath.Join(file, "dir"), func(Op) error { return nil })
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "sort the ops") {
			t.Errorf("Stream() error = %v, want the sort's failure", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Stream() has not returned 30 s after its sort failed")
	}
}
