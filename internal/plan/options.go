package plan

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/match"
)

// DefaultSampleSize is how many operations the summary shows field by
// field when Options.SampleSize is 0.
const DefaultSampleSize = 20

// Options are the tenant's import configuration for one user and entity.
type Options struct {
	ImportID string
	User     string
	Entity   string
	Mode     crm.Mode
	// KeyFields identify a record (1 to 8). Required except in Add mode,
	// where without them every row is created.
	KeyFields []string
	// Kinds gives each field's comparison kind; a field not listed is text.
	Kinds map[string]Kind
	// Policies per field; a field not listed takes DefaultPolicy, and
	// Overwrite when that is empty.
	Policies      map[string]crm.Policy
	DefaultPolicy crm.Policy
	// EmptyClears makes an empty cell clear the field under Overwrite. Off
	// by default, as in most CRMs: a blank cell in a partial file should
	// not erase data. A full mirror from another system turns it on.
	EmptyClears bool
	// Required are the fields a new record cannot be created without: the
	// entity's and the configuration's own. A row that would create a record
	// without one of them is an error op, in every mode; rows that update a
	// record need not carry them.
	Required []Required
	// RequiredOneOf are groups of fields of which a new record needs at
	// least one (mobile and/or phone).
	RequiredOneOf [][]Required
	// SampleSize bounds the changes shown in the summary.
	SampleSize int
	// NewID gives the ID of the record a row creates; the default is
	// newID's: from the row's key where it has one, else from the import
	// and row number.
	NewID func(row crm.Row) string
}

// Required is a field a new record needs, named as the tenant knows it.
type Required struct {
	Field string
	// Column is the title of the file's column for the field; "" when the
	// file has none.
	Column string
	// Title names the field when the file has no column for it: its title
	// in the tenant's language. Field is used when it is empty.
	Title string
}

func (o Options) policy(field string) crm.Policy {
	if p, ok := o.Policies[field]; ok {
		return p
	}
	if o.DefaultPolicy != "" {
		return o.DefaultPolicy
	}
	return crm.Overwrite
}

func (o Options) kind(field string) Kind {
	if k, ok := o.Kinds[field]; ok && k != "" {
		return k
	}
	return Text
}

// check says what is wrong with the options, by the rules the
// configuration is validated with (crm.CheckMode, crm.CheckPolicy): options
// made from a valid configuration always pass.
func (o Options) check() error {
	if problem := crm.CheckMode(o.Mode, len(o.KeyFields)); problem != "" {
		return errors.New(problem)
	}
	if o.Entity == "" {
		return errors.New("no entity given")
	}
	if o.DefaultPolicy != "" { // empty is Overwrite
		if problem := crm.CheckPolicy("", o.DefaultPolicy, "", false); problem != "" {
			return errors.New(problem)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(o.Policies)) {
		k := o.kind(f)
		ordered := k == Number || k == Date || k == DateTime
		if problem := crm.CheckPolicy(f, o.Policies[f], string(k), ordered); problem != "" {
			return errors.New(problem)
		}
	}
	return nil
}

// newID is the ID of the record row r creates. A row with a key gets an ID
// of the user, entity, key fields and key values alone, whatever the import:
// the same key always names the same record. A row without one (add mode
// without key fields) is a record of its own: its ID comes from the import
// and the row, so a re-planned preview and a retried apply agree on it.
func (o Options) newID(r crm.Row, key match.Tuple) string {
	if o.NewID != nil {
		return o.NewID(r)
	}
	h := sha256.New()
	part := func(s string) {
		// Length-prefixed, so no two different lists of parts hash alike.
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	part(o.User)
	part(o.Entity)
	if key != nil && !key.Empty() {
		part("key")
		for i, f := range o.KeyFields {
			part(f)
			part(key[i])
		}
	} else {
		part("row")
		part(o.ImportID)
		part(strconv.Itoa(r.Number))
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:16])
}
