package check

import (
	"fmt"
	"strings"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/schema"
)

// noColumnOfGroup says which of the configuration's required_one_of groups
// the file has no column for at all. In add mode every row would be in
// error, so the file is refused, as for a missing required field; in the
// modes that create unmatched rows, those rows will be, and the report
// warns. Rows that have the columns but leave them empty are the plan's
// to report, row by row.
func (c *checker) noColumnOfGroup(m *mapping.Result, cfg *config.Config, e *schema.Entity) error {
	for _, group := range cfg.RequiredOneOf {
		found := false
		titles := make([]string, len(group))
		for i, name := range group {
			if _, ok := m.Column(name); ok {
				found = true
			}
			f, _ := e.Field(name)
			titles[i] = fmt.Sprintf("%s (a column titled for example %q)", name, f.Title(schema.EN))
		}
		if found {
			continue
		}
		which := "no column holds any of " + strings.Join(titles, ", ")
		switch {
		case cfg.Mode == crm.Add:
			return crm.Errorf(crm.Invalid, "%s; new %s cannot be created without one of them: add a column, or map an existing column to one of them", which, e.Name)
		case createsUnmatched(cfg.Mode):
			c.warn("%s: a row that matches no existing record would create one without any of them, so such rows will be reported as errors, not imported", which)
		}
	}
	return nil
}
