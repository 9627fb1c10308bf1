package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestDefault(t *testing.T) {
	c, err := Default("accounts")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{Version: 1, Entity: "companies", Mode: crm.Add, DefaultPolicy: crm.Overwrite, Locale: "en-US", TimeZone: "UTC"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Default(accounts) = %+v, want %+v", c, want)
	}
	if _, err := Default("invoices"); err == nil {
		t.Errorf("Default(invoices) = nil error, want unknown entity")
	}
}

func TestParseFillsDefaults(t *testing.T) {
	c, err := Parse([]byte(`{"version": 1, "entity": "customers"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != crm.Add || c.Locale != DefaultLocale || c.TimeZone != "UTC" || c.Policy("name") != crm.Overwrite {
		t.Errorf("Parse(minimal) = %+v, want add mode, en-US, UTC, overwrite", c)
	}
}

func TestExampleConfigurationsLoad(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/configs/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no example configurations: %v", err)
	}
	for _, p := range paths {
		c, err := LoadFile(p)
		if err != nil {
			t.Errorf("LoadFile(%s): %v", p, err)
			continue
		}
		// What is saved reads back the same.
		data, err := c.JSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(data)
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Errorf("Parse(%s as saved) = %+v, %v, want %+v", p, again, err, c)
		}
	}
	c, err := LoadFile("../../testdata/configs/customers-de.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Policy("last_visit") != crm.OverwriteIfGreater || c.Policy("name") != crm.Overwrite || c.Policy("group") != crm.Keep {
		t.Errorf("customers-de.json policies = %v, default %v", c.Policies, c.DefaultPolicy)
	}
	c, err = LoadFile("../../testdata/configs/nightly-sync.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.AssignmentColumn() != "Employee number" || c.Assignment.By != crm.ByEmployeeNumber || c.Delimiter != ";" {
		t.Errorf("nightly-sync.json = %+v", c)
	}
}

func TestParseRefusesWithClearMessages(t *testing.T) {
	tests := []struct {
		name, json string
		want       []string // each must appear in the message
	}{
		{"no version", `{"entity": "customers"}`, []string{`it has no version; add "version": 1`}},
		{"future version", `{"version": 2, "entity": "customers"}`, []string{"unknown configuration version 2: this program reads version 1"}},
		{"no entity", `{"version": 1}`, []string{`it names no entity`}},
		{"unknown entity", `{"version": 1, "entity": "invoices"}`, []string{`unknown entity "invoices"`, "customers"}},
		{"unknown setting", `{"version": 1, "entity": "customers", "modus": "add"}`, []string{`unknown setting "modus"`}},
		{"not JSON", `{"version": 1,`, []string{"not valid JSON"}},
		{"empty", ``, []string{"the configuration is empty"}},
		{"wrong type", `{"version": 1, "entity": "customers", "key_fields": "customer_number"}`, []string{`the setting "key_fields" should be a list, not a JSON string`}},
		{"unknown mapped field", `{"version": 1, "entity": "customers", "mapping": {"Spitzname": "nickname"}}`,
			[]string{`the mapping of column "Spitzname" names the field "nickname", which customers do not have`}},
		{"too many keys", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["name","street","postcode","city","country","email","phone","mobile","website"]}`,
			[]string{"9 key fields are too many: at most 8"}},
		{"unknown required field", `{"version": 1, "entity": "customers", "required": ["cpf"]}`, []string{`the required field "cpf" is not a field of customers`}},
		{"unknown key", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["kdnr"]}`, []string{`the key field "kdnr" is not a field of customers`}},
		{"key twice", `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["name", "name"]}`, []string{`the key field "name" is listed twice`}},
		{"update without keys", `{"version": 1, "entity": "customers", "mode": "update"}`, []string{"mode update needs at least one key field"}},
		{"unknown mode", `{"version": 1, "entity": "customers", "mode": "merge"}`, []string{`unknown mode "merge"`}},
		{"greater on text", `{"version": 1, "entity": "customers", "policies": {"name": "overwrite_if_greater"}}`,
			[]string{"the field name is text: overwrite_if_greater is only for date and number fields"}},
		{"unknown policy", `{"version": 1, "entity": "customers", "policies": {"name": "merge"}}`, []string{`unknown policy "merge" for the field name`}},
		{"a required_one_of group of one field", `{"version": 1, "entity": "customers", "required_one_of": [["phone"]]}`, []string{`a required_one_of group names 1 field: it needs two or more`}},
		{"a required_one_of group naming an unknown field", `{"version": 1, "entity": "customers", "required_one_of": [["phone", "fax"]]}`, []string{`the required_one_of field "fax" is not a field of customers`}},
		{"fill_empty as default policy is fine but an unknown one is not", `{"version": 1, "entity": "customers", "default_policy": "fill"}`, []string{`choose keep, fill_empty or overwrite`}},
		{"policy on unknown field", `{"version": 1, "entity": "customers", "policies": {"nickname": "keep"}}`, []string{`a policy names the field "nickname"`}},
		{"assignment by initials", `{"version": 1, "entity": "customers", "assignment": {"column": "Agent", "by": "initials"}}`,
			[]string{`the assignment column holds "initials": choose email, employee_number or name`}},
		{"assignment without column", `{"version": 1, "entity": "customers", "assignment": {"by": "email"}}`, []string{"the assignment names no column"}},
		{"unknown encoding", `{"version": 1, "entity": "customers", "encoding": "klingon"}`, []string{`unknown encoding "klingon"`}},
		{"unknown delimiter", `{"version": 1, "entity": "customers", "delimiter": "#"}`, []string{`unknown delimiter "#"`}},
		{"unknown locale", `{"version": 1, "entity": "customers", "locale": "tlh-QO"}`, []string{`locale "tlh-QO"`}},
		{"unknown time zone", `{"version": 1, "entity": "customers", "time_zone": "Mars/Olympus"}`, []string{`unknown time zone "Mars/Olympus"`}},
		{"several problems at once", `{"version": 3, "entity": "customers", "mode": "merge", "locale": "xx"}`,
			[]string{"version 3", `mode "merge"`, `locale "xx"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.json))
			if crm.KindOf(err) != crm.Invalid {
				t.Fatalf("Parse(%s) = %+v, %v, want an %s error", tt.json, c, err, crm.Invalid)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%s) error = %q, want it to say %q", tt.json, err, w)
				}
			}
		})
	}
}

func TestParseAcceptsTabAsDelimiterName(t *testing.T) {
	c, err := Parse([]byte(`{"version": 1, "entity": "customers", "delimiter": "tab"}`))
	if err != nil || c.Delimiter != "\t" {
		t.Errorf("Parse(delimiter tab) = %+v, %v, want a tab", c, err)
	}
}
