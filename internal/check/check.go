// Package check reads a tenant's file, maps its columns to an entity's
// fields and validates every value. The pipeline's validate step and the
// CLI's dry run (crmimport check) both run exactly this code.
package check

import (
	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/sheet"
)

// Limits that keep a report small whatever the file holds.
const (
	DefaultMaxErrors = 1000   // row errors kept in Report.Errors
	MaxAssignees     = 10_000 // distinct assignment values counted one by one
)

// Options say how to check a file.
type Options struct {
	// Entity to import; may be empty when Config names it. An alias such
	// as "accounts" is accepted.
	Entity string
	// Config is the import configuration; nil means config.Default(Entity),
	// or the preset of a file another CRM exported (package preset).
	Config *config.Config
	// FileName is the file's name, which helps tell what another CRM's
	// export holds; Run sets it from the path.
	FileName string
	// Sheet options; Encoding, Delimiter and Sheet set here win over the
	// configuration's.
	Sheet sheet.Options
	// MaxErrors bounds Report.Errors; 0 means DefaultMaxErrors.
	MaxErrors int
	// Locale, when set, is the locale the tenant chose for this file; it
	// wins over the configuration's. The configuration cannot tell a
	// locale it names from the default en-US it fills in, so the default
	// counts as not chosen: a ";"-separated CSV is then read with a
	// decimal comma where no value shows the separator.
	Locale string
}

// Report sums up a checked file.
type Report struct {
	Entity string `json:"entity"`
	Locale string `json:"locale"`
	// LocaleConfigured is false when neither the configuration nor
	// Options.Locale chose a locale: Locale is then the default, and each
	// number and date column is read as its own values show (Warnings say
	// where that differs from Locale).
	LocaleConfigured bool `json:"locale_configured"`
	// LocaleFromTitles is the language of the column titles Locale was
	// taken from when nothing named one ("it": it-IT), "" otherwise.
	LocaleFromTitles string           `json:"locale_from_titles,omitempty"`
	File             File             `json:"file"`
	Rows             int              `json:"rows"`             // data rows read (blank rows are skipped)
	RowsWithErrors   int              `json:"rows_with_errors"` // rows that must not be applied
	Mapping          []mapping.Column `json:"mapping"`
	Unmapped         []string         `json:"unmapped"`
	// Missing lists required fields no column maps to. Mode add refuses
	// such a file, and makes a row with one of them empty a row error. The
	// update modes accept both (a file with the key and one field updates
	// that field): which rows match no record, and would create one, is
	// known only when the plan is made, which reports each of them as an
	// error. In update and update_delete, Warnings say so beforehand.
	Missing []string `json:"missing,omitempty"`
	// Warnings are things the tenant should know that do not stop the
	// import, such as configured columns the file does not have.
	Warnings   []string       `json:"warnings,omitempty"`
	Errors     []crm.RowError `json:"errors"`      // the first MaxErrors row errors
	ErrorCount int            `json:"error_count"` // all row errors
	// Assignees counts the rows per value of the assignment column (the
	// empty value included), when the configuration names one. Past
	// MaxAssignees distinct values, further new values count in
	// OtherAssignees.
	AssignmentColumn string         `json:"assignment_column,omitempty"`
	Assignees        map[string]int `json:"assignees,omitempty"`
	OtherAssignees   int            `json:"other_assignees,omitempty"`
	// Preset says which other CRM's export the file was recognised as, and
	// the settings that follow, when no configuration was chosen.
	Preset string `json:"preset,omitempty"`
	// Config is the configuration the file was checked with: the one
	// chosen, the entity's defaults, or the preset's.
	Config *config.Config `json:"-"`
}

// File is what the reader detected about the file (sheet.Info, with JSON
// names like the rest of the report).
type File struct {
	Format    string   `json:"format"`              // csv, xlsx, ods
	Encoding  string   `json:"encoding,omitempty"`  // CSV only
	Delimiter string   `json:"delimiter,omitempty"` // CSV only
	Sheet     string   `json:"sheet,omitempty"`     // workbooks: the sheet read
	Sheets    []string `json:"sheets,omitempty"`    // workbooks: every sheet
}

func fileOf(i sheet.Info) File {
	return File{Format: i.Format, Encoding: i.Encoding, Delimiter: i.Delimiter, Sheet: i.Sheet, Sheets: i.Sheets}
}

// refusal is a reader's problem with the whole file, passed on in the
// reader's words: the file is refused, crm.Invalid. err is the reader's
// error, kept as the cause; se is the *sheet.Error in it.
func refusal(err error, se *sheet.Error) error {
	return crm.Wrap(err, crm.Invalid, "%s", se.Error())
}
