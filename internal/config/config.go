// Package config is the import configuration a tenant saves by name and a
// nightly sync reuses: mapping, key fields, field policies, mode, the
// assignment column and how to read the file. It is stored as versioned
// JSON; Parse checks it and fills in defaults.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // time zones must load in a Lambda without /usr/share/zoneinfo

	"golang.org/x/text/encoding/htmlindex"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/value"
)

// Version is the configuration format this program reads and writes.
const Version = 1

// MaxKeyFields is how many fields may together identify a record (portatour).
const MaxKeyFields = 8

// Assignment names the column that says which sales agent a row belongs to.
type Assignment struct {
	Column string       `json:"column"`
	By     crm.AssignBy `json:"by"` // crm.ByEmail, crm.ByEmployeeNumber or crm.ByName
}

// Config is one import configuration.
type Config struct {
	Version int    `json:"version"`
	Entity  string `json:"entity"`
	// Mapping overrides the automatic mapping: column title -> field name,
	// or "ignore" to leave the column out.
	Mapping map[string]string `json:"mapping,omitempty"`
	// KeyFields together identify an existing record (1 to 8); needed by
	// every mode but add.
	KeyFields []string `json:"key_fields,omitempty"`
	// Required lists fields the tenant requires beyond the entity's own
	// (processoagil requires CPF/CNPJ, phone, e-mail and group): in mode
	// add a file without them is refused and a row with one empty is in
	// error.
	Required []string `json:"required,omitempty"`
	// RequiredOneOf lists groups of fields of which a new record needs at
	// least one (processoagil: "Celular e/ou Telefone", mobile and/or
	// phone): [["mobile", "phone"]].
	RequiredOneOf [][]string `json:"required_one_of,omitempty"`
	// Policies per field; the others take DefaultPolicy.
	Policies      map[string]crm.Policy `json:"policies,omitempty"`
	DefaultPolicy crm.Policy            `json:"default_policy"`
	// EmptyClears lets an empty cell clear a field under overwrite (a full
	// mirror from another system); by default an empty cell changes nothing.
	EmptyClears bool        `json:"empty_clears,omitempty"`
	Mode        crm.Mode    `json:"mode"`
	Assignment  *Assignment `json:"assignment,omitempty"`
	// How to read the file; empty means detect.
	Encoding  string `json:"encoding,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Sheet     string `json:"sheet,omitempty"`
	// Locale decides how dates (31/12 or 12/31), numbers (1.234,56 or
	// 1,234.56) and phone numbers without a country code are read.
	Locale string `json:"locale"`
	// TimeZone is where date-times without an offset happened (IANA name).
	TimeZone string `json:"time_zone"`
	// CreateLinked: a company a contact's or deal's row names by name, and
	// no company has, is created (once, however many rows name it) and
	// linked, rather than the row being in error: a file of companies and
	// their contacts on one row (24SevenOffice).
	CreateLinked bool `json:"create_linked,omitempty"`
	// Fields are the fields the tenant adds to the entity (fields.go).
	Fields []Field `json:"fields,omitempty"`
	// Unattended: an import under this configuration runs without waiting
	// for the tenant's selection and decisions, as a scheduled sync does.
	Unattended bool `json:"unattended,omitempty"`

	localeNamed bool // Parse saw a locale (LocaleNamed)
}

// Defaults for settings a configuration leaves out.
const (
	DefaultMode     = crm.Add
	DefaultLocale   = "en-US"
	DefaultTimeZone = "UTC"
)

// Default returns the configuration of an import that names none: the
// entity's automatic mapping, add mode, the default locale.
func Default(entity string) (*Config, error) {
	c := &Config{Version: Version, Entity: entity}
	c.fill()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads a configuration from JSON, fills in defaults and validates it.
func Parse(data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, invalid(jsonProblem(err))
	}
	if dec.More() {
		return nil, invalid("the configuration has more than one JSON object")
	}
	c.localeNamed = c.Locale != ""
	c.fill()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// LocaleNamed tells whether the configuration named its locale, en-US
// included, rather than taking the default: a file's titles then do not
// choose it (check).
func (c *Config) LocaleNamed() bool { return c.localeNamed || c.Locale != DefaultLocale }

// LoadFile reads the configuration file at path.
func LoadFile(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// JSON returns the configuration as indented JSON, which Parse reads back
// the same.
func (c *Config) JSON() ([]byte, error) {
	return json.MarshalIndent(c, "", "  ")
}

func (c *Config) fill() {
	if c.Mode == "" {
		c.Mode = DefaultMode
	}
	if c.DefaultPolicy == "" {
		c.DefaultPolicy = crm.Overwrite
	}
	if c.Locale == "" {
		c.Locale = DefaultLocale
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.Delimiter == "tab" || c.Delimiter == `\t` {
		c.Delimiter = "\t"
	}
	if e, err := schema.Lookup(c.Entity); err == nil {
		c.Entity = e.Name // "accounts" is stored as "companies"
	}
}

// Policy returns the policy of field.
func (c *Config) Policy(field string) crm.Policy {
	if p, ok := c.Policies[field]; ok {
		return p
	}
	return c.DefaultPolicy
}

// AssignmentColumn returns the title of the assignment column, "" if none.
func (c *Config) AssignmentColumn() string {
	if c.Assignment == nil {
		return ""
	}
	return c.Assignment.Column
}

// Parser returns the value parser of the configuration's locale and zone.
func (c *Config) Parser() (value.Parser, error) {
	loc, err := value.ParseLocale(c.Locale)
	if err != nil {
		return value.Parser{}, err
	}
	zone, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return value.Parser{}, fmt.Errorf("unknown time zone %q: expected a name like Europe/Berlin or America/Sao_Paulo", c.TimeZone)
	}
	return value.Parser{Locale: loc, Zone: zone}, nil
}

// invalid says everything that is wrong with a configuration at once, in
// the tenant's words, so that one round of fixes is enough.
func invalid(problems ...string) error {
	return crm.Errorf(crm.Invalid, "the import configuration is not valid: %s", strings.Join(problems, "; "))
}

// Validate checks the configuration against its entity's schema. What is
// wrong is one crm.Invalid error listing every problem.
func (c *Config) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if c.Version != Version {
		if c.Version == 0 {
			add(`it has no version; add "version": %d`, Version)
		} else {
			add("unknown configuration version %d: this program reads version %d", c.Version, Version)
		}
	}
	base, err := schema.Lookup(c.Entity)
	if err != nil {
		if c.Entity == "" {
			add("it names no entity; add for example \"entity\": \"customers\"")
		} else {
			add("%v", err)
		}
		return invalid(p...) // the rest is checked against the entity
	}
	c.checkFields(base, add)
	e, err := c.Schema()
	if err != nil {
		return err
	}
	for column, field := range c.Mapping {
		if field == mapping.Ignore {
			continue
		}
		if _, ok := e.Field(field); !ok {
			add("the mapping of column %q names the field %q, which %s do not have", column, field, e.Name)
		}
	}

	if len(c.KeyFields) > MaxKeyFields {
		add("%d key fields are too many: at most %d fields can identify a record", len(c.KeyFields), MaxKeyFields)
	}
	if problem := crm.CheckMode(c.Mode, len(c.KeyFields)); problem != "" {
		add("%s", problem)
	}
	seen := map[string]bool{}
	for _, k := range c.KeyFields {
		if _, ok := e.Field(k); !ok {
			add("the key field %q is not a field of %s", k, e.Name)
		}
		if seen[k] {
			add("the key field %q is listed twice", k)
		}
		seen[k] = true
	}

	for _, r := range c.Required {
		if _, ok := e.Field(r); !ok {
			add("the required field %q is not a field of %s", r, e.Name)
		}
	}
	for _, group := range c.RequiredOneOf {
		if len(group) < 2 {
			add("a required_one_of group names %d field%s: it needs two or more (one field alone goes in required)", len(group), map[bool]string{true: "", false: "s"}[len(group) == 1])
		}
		for _, r := range group {
			if _, ok := e.Field(r); !ok {
				add("the required_one_of field %q is not a field of %s", r, e.Name)
			}
		}
	}
	for field, pol := range c.Policies {
		f, ok := e.Field(field)
		if !ok {
			add("a policy names the field %q, which %s do not have", field, e.Name)
			continue
		}
		ordered := f.Type == schema.Date || f.Type == schema.DateTime || f.Type == schema.Number
		if problem := crm.CheckPolicy(field, pol, string(f.Type), ordered); problem != "" {
			add("%s", problem)
		}
	}
	if problem := crm.CheckPolicy("", c.DefaultPolicy, "", false); problem != "" {
		add("%s", problem)
	}

	if a := c.Assignment; a != nil {
		if strings.TrimSpace(a.Column) == "" {
			add("the assignment names no column")
		}
		if a.By != crm.ByEmail && a.By != crm.ByEmployeeNumber && a.By != crm.ByName {
			add("the assignment column holds %q: choose email, employee_number or name", a.By)
		}
	}
	if c.Encoding != "" {
		if _, err := htmlindex.Get(c.Encoding); err != nil {
			add("unknown encoding %q: choose for example utf-8, utf-16le, windows-1252 or iso-8859-2", c.Encoding)
		}
	}
	switch c.Delimiter {
	case "", ",", ";", "\t", "|":
	default:
		add("unknown delimiter %q: choose a comma, a semicolon, tab or |", c.Delimiter)
	}
	if _, err := c.Parser(); err != nil {
		add("%v", err)
	}
	if len(p) > 0 {
		return invalid(p...)
	}
	return nil
}

func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("it is not valid JSON (at byte %d: %v)", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return fmt.Sprintf("the setting %q should be %s, not a JSON %s", typ.Field, describe(typ.Type.String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown setting " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case err == io.EOF:
		return "the configuration is empty"
	}
	return fmt.Sprintf("it is not valid JSON: %v", err)
}

func describe(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["), strings.Contains(goType, "Assignment"):
		return "an object"
	case goType == "int":
		return "a whole number"
	case goType == "bool":
		return "true or false"
	}
	return "a text"
}
