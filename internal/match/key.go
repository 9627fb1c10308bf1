package match

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// MaxFields is the largest number of key fields a tenant may choose
// (portatour allows eight).
const MaxFields = 8

// Key is the tenant's choice of key fields and how each compares.
type Key struct {
	Fields []string
	Kinds  []Kind // Kinds[i] is the kind of Fields[i]
}

// NewKey checks the chosen fields: one to eight, named, no repeats. A field
// missing from kinds compares as text.
func NewKey(fields []string, kinds map[string]Kind) (Key, error) {
	if len(fields) == 0 || len(fields) > MaxFields {
		return Key{}, fmt.Errorf("choose between 1 and %d key fields, not %d", MaxFields, len(fields))
	}
	k := Key{Fields: append([]string(nil), fields...), Kinds: make([]Kind, len(fields))}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		if f == "" {
			return Key{}, fmt.Errorf("key field %d has no name", i+1)
		}
		if seen[f] {
			return Key{}, fmt.Errorf("key field %q is chosen twice", f)
		}
		seen[f] = true
		k.Kinds[i] = kinds[f]
		if k.Kinds[i] == "" {
			k.Kinds[i] = Text
		}
	}
	return k, nil
}

// Tuple is the normalised key values of a row or record, in the order of
// Key.Fields; "" is an empty value.
type Tuple []string

// Of returns the normalised key values found in fields.
func (k Key) Of(fields map[string]string) Tuple {
	t := make(Tuple, len(k.Fields))
	for i, f := range k.Fields {
		t[i] = Normalize(k.Kinds[i], fields[f])
	}
	return t
}

// Empty reports whether every key value is empty: such a row or record
// cannot be identified at all.
func (t Tuple) Empty() bool { return t.mask() == 0 }

// mask has bit i set when value i is present.
func (t Tuple) mask() uint8 {
	var m uint8
	for i, v := range t {
		if v != "" {
			m |= 1 << i
		}
	}
	return m
}

// join packs the values selected by mask into one map key: the mask, then
// each value preceded by its length. Length prefixes, not a separator,
// because a cell may carry any character: joined with 0x1F, (A, "B\x1fC")
// and ("A\x1fB", C) made the same key. Refusing control characters in key
// cells instead would turn rows the tenant sees as fine into errors, and
// would not help with records already stored with them. The mask is part of
// the key so different selections never collide.
func (t Tuple) join(mask uint8) string {
	size := 1
	for i, v := range t {
		if mask&(1<<i) != 0 {
			size += binary.MaxVarintLen64 + len(v)
		}
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteByte(mask)
	var n [binary.MaxVarintLen64]byte
	for i, v := range t {
		if mask&(1<<i) != 0 {
			b.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
			b.WriteString(v)
		}
	}
	return b.String()
}

// Describe names key values as a tenant reads them, for error messages:
// customer_no="4711", name="", postcode="12345".
func (k Key) Describe(fields map[string]string) string {
	parts := make([]string, len(k.Fields))
	for i, f := range k.Fields {
		parts[i] = f + "=" + strconv.Quote(fields[f])
	}
	return strings.Join(parts, ", ")
}
