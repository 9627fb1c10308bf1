// Package duplicates finds the records an import wrote that look like
// another record of the tenant: the same e-mail, phone, national id, or
// name and postcode (Livespace's de-duplication after a migration,
// ../shared/seeds/003_...). It reports pairs; merging them is the tenant's
// decision, made in the CRM.
package duplicates

import (
	"cmp"
	"hash/maphash"
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
//
// It keeps every record it is given, since a later one may share a value
// with it, so it keeps them small: a record is its id, name and user (an
// index), and each of its values is a 64-bit hash in a map to the record;
// only a value that two records share keeps its words (the report names
// it) and a list. About 140 bytes a record beside its id and name, where
// the first version kept 560 (TestAFinderKeepsLittleOfEachRecord): with a
// million records, finalize's 1M/1,000 bench passed 900 MB. Two values
// whose hashes collide would pair records that share nothing: with 64-bit
// hashes, one chance in ~10^7 for a tenant of a million records.
type Finder struct {
	importID string
	entity   string
	checked  int
	seed     maphash.Seed
	users    []string
	userIdx  map[string]uint32
	refs     []ref
	one      map[uint64]uint32 // a value one record has so far -> that record
	many     map[uint64]*group // a value two or more records share
}

// ref is one record as the finder keeps it.
type ref struct {
	id, name string
	user     uint32
	imported bool
}

// group is the records that share one value.
type group struct {
	kind, value string
	refs        []uint32
	// notPaired counts the existing records past maxPerKey.
	notPaired int
}

// New returns a finder for the records import importID wrote of entity.
func New(importID, entity string) *Finder {
	return &Finder{importID: importID, entity: entity, seed: maphash.MakeSeed(), userIdx: map[string]uint32{},
		one: map[uint64]uint32{}, many: map[uint64]*group{}}
}

// Add takes one of the tenant's records of the entity, user's.
func (f *Finder) Add(user string, r crm.Record) {
	f.checked++
	u, ok := f.userIdx[user]
	if !ok {
		u = uint32(len(f.users))
		f.users = append(f.users, user)
		f.userIdx[user] = u
	}
	idx := uint32(len(f.refs))
	imported := r.ImportID == f.importID && f.importID != ""
	f.refs = append(f.refs, ref{id: r.ID, name: links.NameOf(r.Fields), user: u, imported: imported})
	for _, kv := range keys(r.Fields) {
		h := maphash.String(f.seed, kv.kind+"\x00"+kv.value)
		if g := f.many[h]; g != nil {
			if !imported && len(g.refs) >= maxPerKey {
				// A value this common says little of one record: its other
				// records are counted, not kept. The import's own are always
				// kept, so its pairs within the file are never lost.
				g.notPaired++
				continue
			}
			g.refs = append(g.refs, idx)
			continue
		}
		if first, ok := f.one[h]; ok {
			delete(f.one, h)
			f.many[h] = &group{kind: kv.kind, value: kv.value, refs: []uint32{first, idx}}
			continue
		}
		f.one[h] = idx
	}
}

// refOf is the report's form of a kept record.
func (f *Finder) refOf(i uint32) Ref {
	r := f.refs[i]
	return Ref{ID: r.id, User: f.users[r.user], Name: r.name, Import: r.imported}
}

// Report pairs the import's records with every record sharing a value
// with them.
func (f *Finder) Report() Report {
	type ids struct{ a, b uint32 }
	pairs := map[ids]*Pair{}
	for _, g := range f.many {
		for i, first := range g.refs {
			for _, second := range g.refs[i+1:] {
				a, b := first, second
				ra, rb := f.refs[a], f.refs[b]
				if !ra.imported && !rb.imported || a == b {
					continue
				}
				if !ra.imported || rb.imported && rb.id < ra.id {
					a, b = b, a // A is the import's; within the file, the smaller ID
				}
				id := ids{a, b}
				p := pairs[id]
				if p == nil {
					p = &Pair{A: f.refOf(a), B: f.refOf(b), Shared: map[string]string{}, WithinFile: ra.imported && rb.imported}
					pairs[id] = p
				}
				p.Shared[g.kind] = g.value
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
	for _, g := range f.many {
		if g.notPaired > 0 {
			rep.Common = append(rep.Common, Common{Shared: g.kind, Value: g.value, NotPaired: g.notPaired})
		}
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

// compared are the fields keys and a record's name read.
var compared = []string{"email", "phone", "mobile", "national_id", "postcode", "name", "first_name", "last_name"}

// Compared returns the fields of a record the finder reads, for a caller
// that keeps records to give the finder later: a record with only these
// is found in the same pairs, under the same name.
func Compared(fields map[string]string) map[string]string {
	out := make(map[string]string, len(compared))
	for _, f := range compared {
		if v := fields[f]; v != "" {
			out[f] = v
		}
	}
	return out
}

func compact(s string) string { return strings.Join(strings.Fields(s), "") }
