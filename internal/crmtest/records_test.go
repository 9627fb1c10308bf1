package crmtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

var anna = crm.Scope{Tenant: "acme", User: "anna", Entity: "customer", ImportID: "imp"}

func customer(id string, version int64) crm.Record {
	return crm.Record{Entity: "customer", ID: id, Version: version, Fields: map[string]string{"name": id}}
}

func TestCurrentReadsTheScopesRangeOnly(t *testing.T) {
	r := &Records{}
	for _, id := range []string{"a", "b", "c", "d"} {
		r.Put("acme", "anna", customer(id, 1))
	}
	r.Put("acme", "ben", customer("b", 1))
	r.Put("acme", "anna", crm.Record{Entity: "contact", ID: "b", Version: 1})
	r.Put("other", "anna", customer("c", 1))

	got, err := r.Current(context.Background(), anna, "b", "c")
	if err != nil {
		t.Fatal(err)
	}
	if ids := slices.Sorted(maps.Keys(got)); !slices.Equal(ids, []string{"b", "c"}) {
		t.Errorf("Current(b, c) = %v, want b and c of Anna's customers", ids)
	}
	if opaque, ok := got["b"].Opaque.(crm.Record); !ok || opaque.ID != "b" {
		t.Errorf("Current(b, c)[b].Opaque = %#v, want a copy of the record", got["b"].Opaque)
	}
	got["b"].Fields["name"] = "changed by the caller"
	if rec, _ := r.Get("acme", "anna", "customer", "b"); rec.Fields["name"] != "b" {
		t.Errorf("stored record after the caller changed its copy = %+v, want it unchanged", rec)
	}
	if want := [][2]string{{"b", "c"}}; !slices.Equal(r.Rechecks(), want) {
		t.Errorf("Rechecks() = %v, want %v", r.Rechecks(), want)
	}
}

func TestWriteMakesTheWritesAndKeepsOneImageARecord(t *testing.T) {
	r := &Records{}
	r.Put("acme", "anna", customer("a", 1))
	r.Put("acme", "anna", customer("b", 4))
	ctx := context.Background()
	cur, _ := r.Current(ctx, anna, "a", "c")
	a, b := cur["a"], cur["b"]
	writes := []crm.Write{
		{Kind: crm.WriteUpdate, ID: "a", Row: 2, Fields: map[string]string{"name": "A"}, Version: 2, Before: &a},
		{Kind: crm.WriteDelete, ID: "b", Before: &b},
		{Kind: crm.WriteCreate, ID: "c", Row: 3, Fields: map[string]string{"name": "C"}, Version: 1},
	}
	for range 2 { // a retried apply writes its images again
		if err := r.Write(ctx, anna, writes); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := r.Query(ctx, "acme", "anna", "customer")
	var got []string
	for _, rec := range recs {
		got = append(got, fmt.Sprintf("%s v%d %s %s", rec.ID, rec.Version, rec.ImportID, rec.Fields["name"]))
	}
	if want := []string{"a v2 imp A", "c v1 imp C"}; !slices.Equal(got, want) {
		t.Errorf("Query() after Write = %q, want %q", got, want)
	}
	if n, _ := r.CountBeforeImages(ctx, "acme", "imp"); n != 3 {
		t.Errorf("CountBeforeImages(imp) = %d, want 3", n)
	}
	if n, _ := r.CountBeforeImages(ctx, "acme", "other"); n != 0 {
		t.Errorf("CountBeforeImages(other) = %d, want 0", n)
	}
	if n := len(r.Writes()); n != 2 {
		t.Errorf("Writes() = %d calls, want 2", n)
	}
}

func TestWriteRefusesWhatAStoreCouldNotDo(t *testing.T) {
	foreign := &crm.Stored{Record: customer("a", 1), Opaque: "not from Current"}
	tests := []struct {
		name   string
		writes []crm.Write
	}{
		{"a record twice in one call", []crm.Write{{Kind: crm.WriteCreate, ID: "a", Version: 1}, {Kind: crm.WriteCreate, ID: "a", Version: 1}}},
		{"a record before that Current did not return", []crm.Write{{Kind: crm.WriteUpdate, ID: "a", Version: 2, Before: foreign}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Records{}
			err := r.Write(context.Background(), anna, tt.writes)
			if crm.KindOf(err) != crm.Internal {
				t.Errorf("Write() error = %v, want an internal error", err)
			}
			if recs, _ := r.Query(context.Background(), "acme", "anna", "customer"); len(recs) != 0 || len(r.Writes()) != 0 {
				t.Errorf("Write() refused but stored %v", recs)
			}
		})
	}
}

func TestRecordsAreSafeForConcurrentUse(t *testing.T) {
	r := &Records{}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := fmt.Sprintf("c%d", i)
			r.Put("acme", "anna", customer(id, 1))
			cur, _ := r.Current(ctx, anna, id, id)
			before := cur[id]
			r.Write(ctx, anna, []crm.Write{{Kind: crm.WriteUpdate, ID: id, Version: 2, Before: &before}})
			r.Query(ctx, "acme", "anna", "customer")
		})
	}
	wg.Wait()
	if n, _ := r.CountBeforeImages(ctx, "acme", "imp"); n != 8 {
		t.Errorf("CountBeforeImages() after 8 concurrent writes = %d, want 8", n)
	}
}
