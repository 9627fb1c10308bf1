package match

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want string
	}{
		{"text is trimmed and case folded", Text, "  Müller GmbH ", "muller gmbh"},
		{"inner spaces collapse", Text, "Rue  de\tla Paix", "rue de la paix"},
		{"accents are removed", Text, "Élodie Crème", "elodie creme"},
		{"sharp s folds to ss", Text, "STRASSE", "strasse"},
		{"sharp s and ss meet", Text, "Straße", "strasse"},
		{"leading zeros of text keys stay", Text, "00123", "00123"},
		{"numbers compare by value", Number, "1234.50", "1234.5"},
		{"integral numbers lose the point", Number, "42.0", "42"},
		{"unparsable numbers stay as text", Number, "n/a", "n/a"},
		{"dates are canonical already", Date, " 2026-12-31 ", "2026-12-31"},
		{"date-times compare as instants", DateTime, "2026-01-02T10:00:00+01:00", "2026-01-02T09:00:00Z"},
		{"empty stays empty", Text, "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.kind, tt.in); got != tt.want {
				t.Errorf("Normalize(%q, %q) = %q, want %q", tt.kind, tt.in, got, tt.want)
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string
		wantErr bool
	}{
		{"one field", []string{"customer_no"}, false},
		{"eight fields", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, false},
		{"no field", nil, true},
		{"nine fields", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}, true},
		{"a field twice", []string{"name", "name"}, true},
		{"an unnamed field", []string{"name", ""}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKey(tt.fields, nil)
			if (err != nil) != tt.wantErr {
				t.Errorf("NewKey(%v) error = %v, want error %v", tt.fields, err, tt.wantErr)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	records := []map[string]string{
		0: {"name": "Müller GmbH", "street": "Hauptstr. 1", "postcode": "10115"},
		1: {"name": "Müller GmbH", "street": "Bahnhofstr. 9", "postcode": "80331"},
		2: {"name": "Schmidt AG", "street": "Ring 3", "postcode": "10115"},
		3: {"name": "Weber KG", "street": "", "postcode": "50667"}, // created without a street
		4: {"name": "", "street": "", "postcode": ""},              // no key at all: never matched
	}
	key, err := NewKey([]string{"name", "street", "postcode"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(key, records)
	tests := []struct {
		name string
		row  map[string]string
		want []int
	}{
		{"all keys equal", map[string]string{"name": "Müller GmbH", "street": "Hauptstr. 1", "postcode": "10115"}, []int{0}},
		{"case and accents ignored", map[string]string{"name": "MULLER gmbh", "street": "hauptstr. 1", "postcode": " 10115"}, []int{0}},
		{"one key differs", map[string]string{"name": "Müller GmbH", "street": "Hauptstr. 1", "postcode": "99999"}, nil},
		{"empty street is a wildcard", map[string]string{"name": "Schmidt AG", "street": "", "postcode": "10115"}, []int{2}},
		{"wildcard matching two is ambiguous", map[string]string{"name": "Müller GmbH", "street": "", "postcode": ""}, []int{0, 1}},
		{"absent column is a wildcard too", map[string]string{"name": "Müller GmbH", "postcode": "80331"}, []int{1}},
		{"empty key of a record is a wildcard", map[string]string{"name": "Weber KG", "street": "Domplatz 2", "postcode": "50667"}, []int{3}},
		{"all keys empty match nothing", map[string]string{"name": "", "street": "", "postcode": ""}, nil},
		{"wildcard row against wildcard record", map[string]string{"name": "weber kg", "street": "", "postcode": ""}, []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Lookup(tt.row).Candidates
			if !slices.Equal(got, tt.want) {
				t.Errorf("Lookup(%v) = %v, want %v", tt.row, got, tt.want)
			}
		})
	}
}

func TestLookupNeedsOneSharedKeyValue(t *testing.T) {
	key, _ := NewKey([]string{"customer_no", "external_id"}, nil)
	ix := NewIndex(key, []map[string]string{{"customer_no": "4711"}})
	row := map[string]string{"external_id": "X-1"}
	if got := ix.Lookup(row).Outcome(); got != None {
		t.Errorf("Lookup(%v).Outcome() = %v, want %v", row, got, None)
	}
}

func TestLookupKeepsKeyPartsApart(t *testing.T) {
	// A cell may hold the unit separator (0x1F) that once joined the parts
	// of a key: (A, "B\x1fC") must not find the record keyed ("A\x1fB", C).
	key, err := NewKey([]string{"name", "city"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := NewIndex(key, []map[string]string{{"name": "A\x1fB", "city": "C"}})
	tests := []struct {
		name string
		row  map[string]string
		want Outcome
	}{
		{"the separator moved to the other part", map[string]string{"name": "A", "city": "B\x1fC"}, None},
		{"the same parts", map[string]string{"name": "A\x1fB", "city": "C"}, One},
		{"a length that looks like a prefix", map[string]string{"name": "A", "city": "\x03B\x1fC"}, None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ix.Lookup(tt.row).Outcome(); got != tt.want {
				t.Errorf("Lookup(%q).Outcome() = %v, want %v", tt.row, got, tt.want)
			}
		})
	}
}

func TestResultOutcome(t *testing.T) {
	tests := []struct {
		candidates []int
		want       Outcome
	}{{nil, None}, {[]int{3}, One}, {[]int{1, 2}, Many}}
	for _, tt := range tests {
		if got := (Result{Candidates: tt.candidates}).Outcome(); got != tt.want {
			t.Errorf("Result{%v}.Outcome() = %v, want %v", tt.candidates, got, tt.want)
		}
	}
}

// BenchmarkLookup compares a lookup in 100,000 records with a linear scan
// of the same records, measured in the same run.
func BenchmarkLookup(b *testing.B) {
	const n = 100_000
	key, _ := NewKey([]string{"name", "postcode"}, nil)
	records := make([]map[string]string, n)
	tuples := make([]Tuple, n)
	for i := range records {
		records[i] = map[string]string{"name": fmt.Sprintf("Firma %d", i), "postcode": fmt.Sprintf("%05d", i%1000)}
		tuples[i] = key.Of(records[i])
	}
	ix := NewIndex(key, records)
	full := key.Of(map[string]string{"name": "Firma 4711", "postcode": "00711"})
	wild := key.Of(map[string]string{"name": "Firma 4711"})
	// The baseline and the lookups are timed over the same number of
	// calls, in this run, so the ratio does not depend on the machine.
	measure := func(f func()) float64 {
		const calls = 200
		start := time.Now()
		for range calls {
			f()
		}
		return float64(time.Since(start)) / calls
	}
	scan := measure(func() {
		for i := range tuples {
			if tuples[i][0] == full[0] && tuples[i][1] == full[1] {
				_ = i
			}
		}
	})
	exact := measure(func() { ix.LookupTuple(full) })
	// The first row with this blank pattern builds its map (one pass over
	// the records); the ones after it are what a large file pays.
	ix.LookupTuple(wild)
	wildcard := measure(func() { ix.LookupTuple(wild) })
	for b.Loop() {
		ix.LookupTuple(full)
	}
	b.ReportMetric(scan/exact, "scan/exact")
	b.ReportMetric(scan/wildcard, "scan/wildcard")
}
