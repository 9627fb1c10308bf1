package steps

import (
	"maps"
	"reflect"
	"strings"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

// ResumeConfig returns the configuration an import goes on under after
// "back": old (the one in force, its mapping the file's own) with the
// settings of raw that decide how the rows are planned (key fields,
// required fields, policies, empty cells, mode). The rows are not read
// again: a change of what decides how they were read (the mapping, the
// assignment column, the locale, time zone, encoding, delimiter or sheet,
// the entity) is refused in words, naming the setting; start a new import
// for those.
func ResumeConfig(old *config.Config, raw []byte) (*config.Config, error) {
	next, err := config.Parse(raw)
	if err != nil {
		return nil, err
	}
	var changed []string
	same := func(name string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			changed = append(changed, name)
		}
	}
	same("entity", old.Entity, next.Entity)
	same("assignment", old.Assignment, next.Assignment)
	same("locale", old.Locale, next.Locale)
	same("time_zone", old.TimeZone, next.TimeZone)
	same("encoding", old.Encoding, next.Encoding)
	same("delimiter", old.Delimiter, next.Delimiter)
	same("sheet", old.Sheet, next.Sheet)
	// No mapping keeps the file's; a mapping must agree with it.
	for title, field := range next.Mapping {
		if old.Mapping[title] != field {
			changed = append(changed, "mapping of column "+title)
			break
		}
	}
	if len(changed) > 0 {
		return nil, crm.Errorf(crm.Invalid,
			"the rows were read under the first settings, and going on may change only how they are imported (key fields, required fields, field policies, empty cells, mode); this configuration also changes %s: start a new import for that",
			strings.Join(changed, ", "))
	}
	merged := *old
	merged.Mapping = maps.Clone(old.Mapping)
	merged.KeyFields = next.KeyFields
	merged.Required = next.Required
	merged.RequiredOneOf = next.RequiredOneOf
	merged.Policies = next.Policies
	merged.DefaultPolicy = next.DefaultPolicy
	merged.EmptyClears = next.EmptyClears
	merged.Mode = next.Mode
	if err := merged.Validate(); err != nil {
		return nil, err
	}
	return &merged, nil
}
