package web

import "github.com/crmimport/crm-import/internal/schema"

// Entity is what the page needs of one entity: its fields, for the list
// that changes a column's mapping and for the key fields and policies.
type Entity struct {
	Name   string  `json:"name"`
	Fields []Field `json:"fields"`
}

// Field is one field of an entity, with its titles in the page's
// languages.
type Field struct {
	Name     string            `json:"name"`
	Type     string            `json:"type"`
	Required bool              `json:"required,omitempty"`
	Titles   map[string]string `json:"titles"`
}

// Entities lists every entity of internal/schema with its fields.
func Entities() []Entity {
	var out []Entity
	for _, e := range schema.All() {
		en := Entity{Name: e.Name}
		for _, f := range e.Fields {
			en.Fields = append(en.Fields, Field{
				Name: f.Name, Type: string(f.Type), Required: f.Required,
				Titles: map[string]string{"en": f.Title(schema.EN), "it": f.Title(schema.IT)},
			})
		}
		out = append(out, en)
	}
	return out
}
