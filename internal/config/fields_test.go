package config

import (
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/schema"
)

func TestAddedFieldsJoinTheEntity(t *testing.T) {
	c, err := Parse([]byte(`{"version": 1, "entity": "customers", "fields": [
		{"name": "loyalty_tier", "type": "enum", "titles": ["Treuestufe", "Loyalty tier"], "values": ["gold", "silver"]},
		{"name": "fleet_size", "type": "number", "titles": ["Fuhrpark"], "required": true}],
		"policies": {"fleet_size": "overwrite_if_greater"}, "key_fields": ["customer_number"], "mode": "update"}`))
	if err != nil {
		t.Fatalf("Parse() = %v", err)
	}
	e, err := c.Schema()
	if err != nil {
		t.Fatal(err)
	}
	tier, ok := e.Field("loyalty_tier")
	if !ok || tier.Type != schema.Enum || len(tier.Values) != 2 || tier.Title(schema.DE) != "Treuestufe" {
		t.Errorf("Schema().Field(loyalty_tier) = %+v, %v, want an enum titled Treuestufe", tier, ok)
	}
	if f, _ := e.Field("fleet_size"); !f.Required || f.Type != schema.Number {
		t.Errorf("Schema().Field(fleet_size) = %+v, want a required number", f)
	}
	if _, ok := schema.Customers.Field("loyalty_tier"); ok {
		t.Error("the built-in customers gained the tenant's field")
	}
}

func TestAddedFieldsAreRefusedInWords(t *testing.T) {
	tests := []struct {
		name, fields, want string
	}{
		{"a name with capitals", `[{"name": "Tier", "type": "text", "titles": ["Tier"]}]`, `the added field "Tier" needs a name of lower-case letters`},
		{"a built-in field", `[{"name": "city", "type": "text", "titles": ["Stadt2"]}]`, `the added field "city" is already a field of customers`},
		{"twice", `[{"name": "tier", "type": "text", "titles": ["A"]}, {"name": "tier", "type": "text", "titles": ["B"]}]`, `the added field "tier" is listed twice`},
		{"an unknown type", `[{"name": "tier", "type": "colour", "titles": ["Tier"]}]`, `has the type "colour": choose text, number`},
		{"an enum without values", `[{"name": "tier", "type": "enum", "titles": ["Tier"]}]`, `is an enum without values`},
		{"a title a built-in field has", `[{"name": "tier", "type": "text", "titles": ["Ort"]}]`, `the title "Ort" of the added field "tier" already names the field city`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(`{"version": 1, "entity": "customers", "fields": ` + tt.fields + `}`))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
