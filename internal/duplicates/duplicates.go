// Package duplicates finds the records an import wrote that look like
// another record of the tenant: the same e-mail, phone, national id, or
// name and postcode (Livespace's de-duplication after a migration,
// ../shared/seeds/003_...). It reports pairs; merging them is the tenant's
// decision, made in the CRM.
package duplicates

import (
	"cmp"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/links"
	"github.com/crmimport/crm-import/internal/schema"
)

// What two records can share, as the report names it.
const (
	Email        = "email"
	Phone        = "phone"
	NationalID   = "national_id"
	NamePostcode = "name_postcode"
)

// Ref is one record of a pair.
type Ref struct {
	ID   string `json:"id"`
	User string `json:"user"`
	// Name is how the tenant knows the record: its name, or first and
	// last name.
	Name string `json:"name,omitempty"`
	// Import says whether the import wrote the record (created or
	// updated it).
	Import bool `json:"import"`
}

// Pair is two records that look like one: A was written by the import, B
// by it too (a duplicate within the file) or not (against existing
// records). Shared maps what they share to its value.
type Pair struct {
	A      Ref               `json:"a"`
	B      Ref               `json:"b"`
	Shared map[string]string `json:"shared"`
	// WithinFile: both records come from this import's file.
	WithinFile bool `json:"withinFile"`
}

// Report is the outcome for one import.
type Report struct {
	Entity string `json:"entity"`
	// Checked counts the records compared: the import's and the others of
	// the tenant's records of the entity.
	Checked int `json:"checked"`
	// Total counts every pair found; Pairs lists the first MaxPairs of
	// them, those within the file first.
	Total      int    `json:"total"`
	WithinFile int    `json:"withinFile"`
	Existing   int    `json:"existing"`
	Pairs      []Pair `json:"pairs"`
	// Common are the values so many existing records share that only the
	// first maxPerKey of them were paired: what, and how many more.
	Common []Common `json:"common,omitempty"`
}

// Common is a shared value past maxPerKey existing records.
type Common struct {
	Shared string `json:"shared"` // email, phone, national_id, name_postcode
	Value  string `json:"value"`
	// NotPaired counts the existing records with the value beyond the
	// ones paired.
	NotPaired int `json:"notPaired"`
}

// MaxPairs bounds the pairs a report lists; Total counts them all.
const MaxPairs = 1000

// maxPerKey bounds the existing records kept for one shared value: a
// phone number a hundred records share (a switchboard) says little about
// each of them, and would make ten thousand pairs. The report names such
// values (Common) with how many records were not paired.
const maxPerKey = 20

// Finder collects records one by one and pairs those that share a value.
// It keeps the keys of every record it is given, about 100 bytes a record.
type Finder struct {
	importID string
	entity   string
	checked  int
	byKey    map[string][]Ref // kind + "\x00" + value -> records
	common   map[string]int   // values past maxPerKey existing records: how many more
}

// New returns a finder for the records import importID wrote of entity.
func New(importID, entity string) *Finder {
	return &Finder{importID: importID, entity: entity, byKey: map[string][]Ref{}, common: map[string]int{}}
}

// Add takes one of the tenant's records of the entity, user's.
func (f *Finder) Add(user string, r crm.Record) {
	f.checked++
	ref := Ref{ID: r.ID, User: user, Name: links.NameOf(r.Fields), Import: r.ImportID == f.importID && f.importID != ""}
	for _, kv := range keys(r.Fields) {
		k := kv.kind + "\x00" + kv.value
		refs := f.byKey[k]
		if !ref.Import && len(refs) >= maxPerKey {
			// A value this common says little of one record: its other
			// records are counted, not kept. The import's own are always
			// kept, so its pairs within the file are never lost.
			f.common[k]++
			continue
		}
		f.byKey[k] = append(refs, ref)
	}
}

// Report pairs the import's records with every record sharing a value
// with them.
func (f *Finder) Report() Report {
	type ids struct{ a, b string }
	pairs := map[ids]*Pair{}
	for k, refs := range f.byKey {
		kind, value, _ := strings.Cut(k, "\x00")
		for i, first := range refs {
			for _, b := range refs[i+1:] {
				a := first
				if !a.Import && !b.Import || a.ID == b.ID && a.User == b.User {
					continue
				}
				if !a.Import || b.Import && b.ID < a.ID {
					a, b = b, a // A is the import's; within the file, the smaller ID
				}
				id := ids{a.User + "/" + a.ID, b.User + "/" + b.ID}
				p := pairs[id]
				if p == nil {
					p = &Pair{A: a, B: b, Shared: map[string]string{}, WithinFile: a.Import && b.Import}
					pairs[id] = p
				}
				p.Shared[kind] = value
			}
		}
	}
	rep := Report{Entity: f.entity, Checked: f.checked, Total: len(pairs), Pairs: []Pair{}}
	for _, p := range pairs {
		if p.WithinFile {
			rep.WithinFile++
		} else {
			rep.Existing++
		}
		rep.Pairs = append(rep.Pairs, *p)
	}
	slices.SortFunc(rep.Pairs, func(x, y Pair) int {
		if x.WithinFile != y.WithinFile {
			if x.WithinFile {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(len(y.Shared), len(x.Shared)), cmp.Compare(x.A.ID, y.A.ID), cmp.Compare(x.B.ID, y.B.ID))
	})
	for k, n := range f.common {
		kind, value, _ := strings.Cut(k, "\x00")
		rep.Common = append(rep.Common, Common{Shared: kind, Value: value, NotPaired: n})
	}
	slices.SortFunc(rep.Common, func(a, b Common) int {
		return cmp.Or(cmp.Compare(b.NotPaired, a.NotPaired), cmp.Compare(a.Value, b.Value))
	})
	if len(rep.Pairs) > MaxPairs {
		rep.Pairs = rep.Pairs[:MaxPairs]
	}
	return rep
}

// keys are the values a record is compared by, in a form two ways of
// writing the same value share. Stored values are already normalised by
// validation (phones in E.164, national ids without punctuation); case and
// spacing are folded here.
func keys(fields map[string]string) []key {
	var out []key
	if v := strings.ToLower(strings.TrimSpace(fields["email"])); v != "" {
		out = append(out, key{Email, v})
	}
	// A mobile equal to another record's phone is the same number. Short
	// values (an extension) tell no one apart.
	phone := compact(fields["phone"])
	if len(phone) >= 6 {
		out = append(out, key{Phone, phone})
	}
	if m := compact(fields["mobile"]); len(m) >= 6 && m != phone {
		out = append(out, key{Phone, m})
	}
	if v := strings.ToUpper(compact(fields["national_id"])); v != "" {
		out = append(out, key{NationalID, v})
	}
	name, postcode := schema.Fold(links.NameOf(fields)), strings.ToUpper(compact(fields["postcode"]))
	if name != "" && postcode != "" {
		out = append(out, key{NamePostcode, name + " " + postcode})
	}
	return out
}

type key struct{ kind, value string }

func compact(s string) string { return strings.Join(strings.Fields(s), "") }
