package match

import (
	"slices"
)

// Outcome is what a lookup found.
type Outcome int

const (
	None Outcome = iota // no record has these key values
	One                 // exactly one record: the row updates it
	Many                // several records: the row is ambiguous, never a guess
)

func (o Outcome) String() string {
	switch o {
	case None:
		return "none"
	case One:
		return "one"
	default:
		return "many"
	}
}

// Result lists the positions (in the slice given to NewIndex) of the
// records a row matches, ascending.
type Result struct {
	Candidates []int
}

// Outcome says whether the row matched no, one or several records.
func (r Result) Outcome() Outcome {
	switch len(r.Candidates) {
	case 0:
		return None
	case 1:
		return One
	default:
		return Many
	}
}

// Index answers which records a row's key values match.
//
// Two values match when they are equal after normalising, or when either is
// empty: an empty key value is a wildcard on both sides. On the file side it
// lets a row leave a key field blank; on the record side it lets a later
// import complete a key field the record was created without (the portatour
// tip). At least one key field must be present on both sides, or a row and a
// record would match without sharing anything.
//
// Records are grouped by which key fields they have (a bit mask, at most 256
// groups, in practice one or two). Within a group, a hash map on the values
// of the fields that row and group both have gives the candidates in one
// lookup. The map for a given pair of masks is built on first use and kept,
// so a file of wildcard rows costs one pass over a group per distinct blank
// pattern, never a scan per row.
//
// An Index is not safe for concurrent use: lookups build maps lazily.
type Index struct {
	key    Key
	tuples []Tuple
	groups []*group // ordered by mask, so results do not depend on map order
}

type group struct {
	mask    uint8
	members []int
	byMask  map[uint8]map[string][]int
}

// NewIndex indexes records (their field maps) on key. Records without any
// key value are left out: nothing can identify them.
func NewIndex(key Key, records []map[string]string) *Index {
	tuples := make([]Tuple, len(records))
	for i, fields := range records {
		tuples[i] = key.Of(fields)
	}
	return NewTupleIndex(key, tuples)
}

// NewTupleIndex indexes records by their tuples (key.Of of their fields),
// for a caller that keeps only those: a streamed file's rows.
func NewTupleIndex(key Key, tuples []Tuple) *Index {
	ix := &Index{key: key, tuples: tuples}
	byMask := map[uint8]*group{}
	for i, t := range tuples {
		m := t.mask()
		if m == 0 {
			continue
		}
		g := byMask[m]
		if g == nil {
			g = &group{mask: m, byMask: map[uint8]map[string][]int{}}
			byMask[m] = g
			ix.groups = append(ix.groups, g)
		}
		g.members = append(g.members, i)
	}
	slices.SortFunc(ix.groups, func(a, b *group) int { return int(a.mask) - int(b.mask) })
	for _, g := range ix.groups {
		// The full-key map is built now: it serves every row that has all
		// the group's fields, the common case with no blanks.
		ix.projection(g, g.mask)
	}
	return ix
}

// Lookup returns the records whose key values match fields.
func (ix *Index) Lookup(fields map[string]string) Result {
	return ix.LookupTuple(ix.key.Of(fields))
}

// LookupTuple is Lookup for values already normalised with Key.Of.
func (ix *Index) LookupTuple(t Tuple) Result {
	rm := t.mask()
	if rm == 0 {
		return Result{}
	}
	var out []int
	for _, g := range ix.groups {
		common := rm & g.mask
		if common == 0 {
			continue
		}
		out = append(out, ix.projection(g, common)[t.join(common)]...)
	}
	if len(ix.groups) > 1 {
		slices.Sort(out)
	}
	return Result{Candidates: out}
}

func (ix *Index) projection(g *group, m uint8) map[string][]int {
	if p, ok := g.byMask[m]; ok {
		return p
	}
	p := make(map[string][]int, len(g.members))
	for _, i := range g.members {
		k := ix.tuples[i].join(m)
		p[k] = append(p[k], i)
	}
	g.byMask[m] = p
	return p
}
