package plan

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/match"
)

// merge applies a row to an existing record's fields under the options'
// policies. It returns the new fields and the changes, sorted by field.
// keyFields are never rewritten (a key differing only in case or accents
// would flap every import); an empty key field is filled, which is how a
// later import completes a key (the portatour tip).
func merge(old, row map[string]string, keyFields map[string]bool, o Options) (map[string]string, []Change) {
	fields := make(map[string]string, len(old)+len(row))
	for f, v := range old {
		fields[f] = v
	}
	var changes []Change
	set := func(f, v string) {
		changes = append(changes, Change{Field: f, Old: old[f], New: v})
		if v == "" {
			delete(fields, f)
		} else {
			fields[f] = v
		}
	}
	names := make([]string, 0, len(row))
	for f := range row {
		names = append(names, f)
	}
	slices.Sort(names)
	for _, f := range names {
		v, cur := strings.TrimSpace(row[f]), old[f]
		kind := o.kind(f)
		switch {
		case keyFields[f]:
			if cur == "" && v != "" {
				set(f, v)
			}
		case v == "":
			if o.EmptyClears && o.policy(f) == crm.Overwrite && cur != "" {
				set(f, "")
			}
		case o.policy(f) == crm.Keep:
			// Kept: written only on a new record, which merge never sees.
		case cur == "":
			set(f, v)
		default:
			switch o.policy(f) {
			case crm.Overwrite:
				if !equal(kind, cur, v) {
					set(f, v)
				}
			case crm.OverwriteIfGreater:
				if greater(kind, v, cur) {
					set(f, v)
				}
			}
		}
	}
	return fields, changes
}

// equal compares text exactly (fixing the case of a name is a change) and
// numbers, dates and date-times by value.
func equal(kind Kind, a, b string) bool {
	if kind == Text {
		return a == b
	}
	return match.Normalize(kind, a) == match.Normalize(kind, b)
}

// greater reports whether v is greater than cur for the kind. A value that
// does not parse never wins, except against a stored value that does not
// parse either way.
func greater(kind Kind, v, cur string) bool {
	a, okA := ordinal(kind, v)
	b, okB := ordinal(kind, cur)
	switch {
	case !okA:
		return false
	case !okB:
		return true
	}
	return a.Cmp(b) > 0
}

// ordinal maps a number, date or date-time to a comparable value. Numbers
// go through big.Float so "1e3" and "999.99" compare right without float
// rounding surprises at the edges.
func ordinal(kind Kind, v string) (*big.Float, bool) {
	v = strings.TrimSpace(v)
	switch kind {
	case Number:
		f, ok := new(big.Float).SetString(v)
		return f, ok
	case Date:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			// A date-time in a date field still orders by its instant.
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, false
			}
		}
		return new(big.Float).SetInt64(t.UnixNano()), true
	case DateTime:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, v); err != nil {
				return nil, false
			}
		}
		return new(big.Float).SetInt64(t.UnixNano()), true
	}
	return nil, false
}
