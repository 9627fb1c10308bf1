package config

import (
	"regexp"
	"slices"

	"github.com/crmimport/crm-import/internal/schema"
)

// Field is a field the tenant adds to the entity (Livespace lets a tenant
// add fields, so that a column no built-in field takes can be mapped):
// mapped from its titles and validated by its type like a built-in field.
type Field struct {
	// Name is how the field is stored: lower case letters, digits and
	// underscores, starting with a letter; never a built-in field's name.
	Name string `json:"name"`
	// Type is one of text, number, date, datetime, email, phone, enum.
	Type schema.Type `json:"type"`
	// Titles are the column titles it is mapped from, in any language.
	Titles []string `json:"titles"`
	// Values are an enum field's allowed values.
	Values   []string `json:"values,omitempty"`
	Required bool     `json:"required,omitempty"`
}

// MaxFields bounds the fields one configuration adds.
const MaxFields = 100

var (
	fieldName  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	fieldTypes = []schema.Type{schema.Text, schema.Number, schema.Date, schema.DateTime, schema.Email, schema.Phone, schema.Enum}
)

// Schema returns the entity the configuration imports, with its own fields
// after the built-in ones.
func (c *Config) Schema() (*schema.Entity, error) {
	e, err := schema.Lookup(c.Entity)
	if err != nil || len(c.Fields) == 0 {
		return e, err
	}
	out := *e
	out.Fields = slices.Clone(e.Fields)
	for _, f := range c.Fields {
		sf := schema.Field{Name: f.Name, Type: f.Type, Required: f.Required, Titles: schema.Titles{schema.EN: f.Titles}}
		for _, v := range f.Values {
			sf.Values = append(sf.Values, schema.Value{Name: v})
		}
		if len(f.Titles) == 0 {
			sf.Titles = schema.Titles{schema.EN: {f.Name}}
		}
		sf.Example = example(f)
		out.Fields = append(out.Fields, sf)
	}
	return &out, nil
}

func example(f Field) string {
	switch f.Type {
	case schema.Number:
		return "12"
	case schema.Date:
		return "2026-03-12"
	case schema.DateTime:
		return "2026-03-12T09:30:00Z"
	case schema.Email:
		return "name@example.com"
	case schema.Phone:
		return "+49 30 1234567"
	case schema.Enum:
		if len(f.Values) > 0 {
			return f.Values[0]
		}
	}
	return ""
}

// checkFields says what is wrong with the fields the configuration adds to
// e, in the tenant's words.
func (c *Config) checkFields(e *schema.Entity, add func(format string, args ...any)) {
	if len(c.Fields) > MaxFields {
		add("the configuration adds %d fields; at most %d", len(c.Fields), MaxFields)
	}
	titles := map[string]string{} // folded title -> the field it names
	for _, f := range e.Fields {
		titles[schema.Fold(f.Name)] = f.Name
		for _, ts := range f.Titles {
			for _, t := range ts {
				titles[schema.Fold(t)] = f.Name
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range c.Fields {
		switch {
		case !fieldName.MatchString(f.Name):
			add("the added field %q needs a name of lower-case letters, digits and underscores, starting with a letter (for example loyalty_tier)", f.Name)
		case seen[f.Name]:
			add("the added field %q is listed twice", f.Name)
		default:
			if _, builtIn := e.Field(f.Name); builtIn {
				add("the added field %q is already a field of %s: map a column to it instead", f.Name, e.Name)
			}
		}
		seen[f.Name] = true
		if !slices.Contains(fieldTypes, f.Type) {
			add("the added field %q has the type %q: choose text, number, date, datetime, email, phone or enum", f.Name, f.Type)
		}
		if f.Type == schema.Enum && len(f.Values) == 0 {
			add("the added field %q is an enum without values: list them in values", f.Name)
		}
		for _, t := range append([]string{f.Name}, f.Titles...) {
			k := schema.Fold(t)
			if other, taken := titles[k]; taken && other != f.Name {
				add("the title %q of the added field %q already names the field %s: choose another title", t, f.Name, other)
			}
			titles[k] = f.Name
		}
	}
}
