// Package links turns the names and numbers by which an import's rows refer
// to other records (a contact's company, a deal's contact) into those
// records' ids, as Livespace links persons and deals to companies by the
// company's name (../shared/seeds/003_...). The id is stored beside the
// name, so renaming the company later keeps the link.
package links

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/match"
)

// IDSuffix names the field that holds a link's record id: "company" is
// linked through "company_id".
const IDSuffix = "_id"

// Link is one field of the rows that refers to records of another entity.
type Link struct {
	Field  string // the row's field: "company", "company_number"
	Column string // the file's column for it, for the row error
	Entity string // the entity referred to: "companies"
	// By is the field of the records referred to that the value names:
	// "customer_number", or "" for the record's name (name, or first and
	// last name).
	By string
}

// Unresolved is a value that linked to no record, or to several, and how
// many rows carry it.
type Unresolved struct {
	Field string `json:"field"`
	Value string `json:"value"`
	// Matches is how many records the value names: 0, or 2 and more.
	Matches int `json:"matches"`
	Rows    int `json:"rows"`
}

// Index finds one entity's records by the value a link names.
type Index struct {
	link Link
	ids  map[string][]string
}

// NewIndex indexes records (of l.Entity) by what l names them by.
func NewIndex(l Link, records []crm.Record) *Index {
	ix := &Index{link: l, ids: map[string][]string{}}
	for _, r := range records {
		if k := match.Normalize(match.Text, ix.valueOf(r.Fields)); k != "" {
			ix.ids[k] = append(ix.ids[k], r.ID)
		}
	}
	return ix
}

func (ix *Index) valueOf(fields map[string]string) string {
	if ix.link.By != "" {
		return fields[ix.link.By]
	}
	return NameOf(fields)
}

// NameOf is how the tenant knows a record by name: its name, or a
// person's first and last name.
func NameOf(fields map[string]string) string {
	if n := strings.TrimSpace(fields["name"]); n != "" {
		return n
	}
	return strings.TrimSpace(strings.TrimSpace(fields["first_name"]) + " " + strings.TrimSpace(fields["last_name"]))
}

// Resolve adds each linked record's id to the rows (Field + IDSuffix), and
// to a row whose value names no record, or several, an error saying so:
// such a row is not imported, never linked by a guess or stored with a
// dangling name. It returns the values left unresolved, most rows first.
func Resolve(rows []crm.Row, indexes []*Index) []Unresolved {
	type key struct{ field, value string }
	counts := map[key]*Unresolved{}
	for i := range rows {
		r := &rows[i]
		for _, ix := range indexes {
			l := ix.link
			v := strings.TrimSpace(r.Fields[l.Field])
			if v == "" || r.Fields[l.Field+IDSuffix] != "" {
				continue // nothing named, or linked already (a record created for it)
			}
			ids := ix.ids[match.Normalize(match.Text, v)]
			if len(ids) == 1 {
				r.Fields[l.Field+IDSuffix] = ids[0]
				continue
			}
			r.Errors = append(r.Errors, crm.RowError{Row: r.Number, Column: l.Column, Field: l.Field, Value: v, Reason: reason(l, len(ids))})
			k := key{l.Field, v}
			if counts[k] == nil {
				counts[k] = &Unresolved{Field: l.Field, Value: v, Matches: len(ids)}
			}
			counts[k].Rows++
		}
	}
	out := make([]Unresolved, 0, len(counts))
	for _, u := range counts {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Unresolved) int {
		return cmp.Or(cmp.Compare(b.Rows, a.Rows), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Value, b.Value))
	})
	return out
}

func reason(l Link, matches int) string {
	what := "name"
	if l.By != "" {
		what = strings.ReplaceAll(l.By, "_", " ")
	}
	if matches == 0 {
		return fmt.Sprintf("is the %s of none of your %s, so the row cannot be linked to one: import the %s first, or correct the value", what, l.Entity, l.Entity)
	}
	return fmt.Sprintf("is the %s of %d of your %s, so the row cannot be linked to one of them: link by a column that tells them apart (for example the customer number)", what, matches, l.Entity)
}
