package plan

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"github.com/crmimport/crm-import/internal/crm"
	"strconv"
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
	// SampleSize bounds the changes shown in the summary.
	SampleSize int
	// NewID gives the ID of the record a row creates. The default derives
	// it from import, user, entity and row number, so a preview built
	// twice plans the same IDs and a retried apply recognises its creates.
	NewID func(row crm.Row) string
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

func (o Options) check() error {
	switch o.Mode {
	case crm.Add, crm.Update, crm.UpdateOnly, crm.UpdateDelete:
	default:
		return fmt.Errorf("unknown import mode %q: choose add, update, update_only or update_delete", o.Mode)
	}
	if o.Mode != crm.Add && len(o.KeyFields) == 0 {
		return fmt.Errorf("mode %s needs at least one key field to find existing records", o.Mode)
	}
	if o.Entity == "" {
		return fmt.Errorf("no entity given")
	}
	policies := map[string]crm.Policy{"": o.DefaultPolicy}
	for f, p := range o.Policies {
		policies[f] = p
	}
	for f, p := range policies {
		switch p {
		case crm.Keep, crm.Overwrite:
		case crm.OverwriteIfGreater:
			if f == "" {
				return fmt.Errorf("overwrite_if_greater cannot be the default policy: it is only for date and number fields")
			}
			if k := o.kind(f); k == Text {
				return fmt.Errorf("field %s: overwrite_if_greater is only for date and number fields", f)
			}
		case "":
			if f != "" {
				return fmt.Errorf("field %s: no policy given", f)
			}
		default:
			return fmt.Errorf("field %s: unknown policy %q: choose keep, overwrite or overwrite_if_greater", f, p)
		}
	}
	return nil
}

func (o Options) newID(r crm.Row) string {
	if o.NewID != nil {
		return o.NewID(r)
	}
	h := sha256.Sum256([]byte(o.ImportID + "\x00" + o.User + "\x00" + o.Entity + "\x00" + strconv.Itoa(r.Number)))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:16])
}
