// Package mapping matches the columns of a tenant's file to the fields of an
// entity: automatically from the column titles, or as the tenant says.
package mapping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
)

// Ignore, as the target of an override, says a column is to be left out.
const Ignore = "ignore"

// How a column came to be mapped (or not).
const (
	ByTitle    = "title"    // its title is one the field is known by
	ByOverride = "override" // the tenant's configuration says so
	Ignored    = "ignored"  // the tenant's configuration says to leave it out
	Unmapped   = "unmapped" // no field is known by its title
)

// Column is one column of the file and the field it feeds.
type Column struct {
	Index int    `json:"index"` // 0-based position in the row
	Title string `json:"title"`
	Field string `json:"field,omitempty"` // empty unless How is ByTitle or ByOverride
	How   string `json:"how"`
}

// Label names the column as a tenant finds it in their spreadsheet program:
// its letter and title.
func (c Column) Label() string {
	if strings.TrimSpace(c.Title) == "" {
		return fmt.Sprintf("column %s (no title)", sheet.ColumnName(c.Index+1))
	}
	return fmt.Sprintf("column %s %q", sheet.ColumnName(c.Index+1), c.Title)
}

// Result is the mapping of one file's header.
type Result struct {
	Columns  []Column // one per header cell, in order
	Unmapped []string // titles of the columns no field is known by
	Missing  []string // required fields that no column maps to
	// Unused lists the override keys that matched no column: a saved
	// configuration whose file changed its titles.
	Unused []string
}

// Fields returns the field each column feeds, by column index ("" for none).
func (r *Result) Fields() []string {
	fields := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		fields[i] = c.Field
	}
	return fields
}

// Column returns the column that feeds field.
func (r *Result) Column(field string) (Column, bool) {
	for _, c := range r.Columns {
		if c.Field == field {
			return c, true
		}
	}
	return Column{}, false
}

// duplicate says that two or more columns map to one field, which would
// leave it to chance which value is kept (24SevenOffice refuses this): the
// file is refused, the columns named as the tenant finds them.
func duplicate(field string, cols []Column) error {
	labels := make([]string, len(cols))
	for i, c := range cols {
		labels[i] = c.Label()
	}
	return crm.Errorf(crm.Invalid, "%s all map to the field %q; a field takes one column, so map the others to another field or ignore them",
		strings.Join(labels, " and "), field)
}

// Map maps header to the fields of e. Overrides, keyed by column title,
// name a field or Ignore; they win over the automatic match. A title is
// matched ignoring case, accents, spacing and punctuation, both for the
// automatic match and for the overrides' keys. An override naming a field
// e lacks, or two columns mapped to one field, is crm.Invalid.
func Map(e *schema.Entity, header []string, overrides map[string]string) (*Result, error) {
	known := index(e)
	exact := make(map[string]bool, len(header))
	for _, title := range header {
		exact[title] = true
	}
	// An override key that is not exactly a title of the file applies to
	// the columns whose folded title it equals; one that is exactly a
	// title applies to that column only, so "Email" can be ignored beside
	// an "E-Mail" that stays mapped.
	byFold := make(map[string]string, len(overrides))
	for title, field := range overrides {
		if field != Ignore {
			if _, ok := e.Field(field); !ok {
				return nil, crm.Errorf(crm.Invalid, "the mapping of column %q names the field %q, which %s do not have", title, field, e.Name)
			}
		}
		if !exact[title] {
			byFold[schema.Fold(title)] = field
		}
	}

	r := &Result{Columns: make([]Column, len(header))}
	for i, title := range header {
		c := Column{Index: i, Title: title, How: Unmapped}
		key := schema.Fold(title)
		if field, ok := overrides[title]; ok {
			c.Field, c.How = field, ByOverride
		} else if field, ok := byFold[key]; ok && key != "" {
			c.Field, c.How = field, ByOverride
		} else if field, ok := known[key]; ok {
			c.Field, c.How = field, ByTitle
		}
		if c.Field == Ignore {
			c.Field, c.How = "", Ignored
		}
		if c.How == Unmapped && strings.TrimSpace(title) != "" {
			r.Unmapped = append(r.Unmapped, title)
		}
		r.Columns[i] = c
	}

	for title := range overrides {
		used := false
		for _, c := range r.Columns {
			if c.Title == title || (!exact[title] && schema.Fold(c.Title) == schema.Fold(title)) {
				used = true
				break
			}
		}
		if !used {
			r.Unused = append(r.Unused, title)
		}
	}
	sort.Strings(r.Unused)

	for _, f := range e.Fields {
		var cols []Column
		for _, c := range r.Columns {
			if c.Field == f.Name {
				cols = append(cols, c)
			}
		}
		if len(cols) > 1 {
			return nil, duplicate(f.Name, cols)
		}
		if len(cols) == 0 && f.Required {
			r.Missing = append(r.Missing, f.Name)
		}
	}
	return r, nil
}

// index returns the field of e each folded title names. The field's own
// storage name counts as a title, so a file this product exported, whose
// columns are the storage names, maps without help.
func index(e *schema.Entity) map[string]string {
	m := map[string]string{}
	for _, f := range e.Fields {
		m[schema.Fold(f.Name)] = f.Name
		for _, titles := range f.Titles {
			for _, t := range titles {
				m[schema.Fold(t)] = f.Name
			}
		}
	}
	return m
}
