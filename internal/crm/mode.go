package crm

import "fmt"

// Mode says what an import does with existing records.
type Mode string

const (
	// Add creates a record for every row. With key fields chosen, a row
	// whose key already exists is skipped and says so: an administrator
	// adding records does not expect a second "Müller GmbH", nor an
	// existing one changed by a mode that promises only additions.
	Add Mode = "add"
	// Update updates the records found by key and creates the others.
	Update Mode = "update"
	// UpdateOnly updates the records found by key and never creates: other
	// rows are skipped with the reason.
	UpdateOnly Mode = "update_only"
	// UpdateDelete is Update, and deletes the user's existing records of
	// the entity that no row of the file matches (a nightly full sync).
	UpdateDelete Mode = "update_delete"
)

// CheckMode says what is wrong with a mode and its key fields, "" if
// nothing. Every mode but Add finds existing records by their key.
func CheckMode(m Mode, keyFields int) string {
	switch m {
	case Add, Update, UpdateOnly, UpdateDelete:
	default:
		return fmt.Sprintf("unknown mode %q: choose add, update, update_only or update_delete", m)
	}
	if m != Add && keyFields == 0 {
		return fmt.Sprintf("mode %s needs at least one key field (for example customer_number) to find existing records", m)
	}
	return ""
}

// Policy says what happens to an existing record's field when the row has a
// value for it.
type Policy string

const (
	// Keep keeps an existing record's value, even an empty one: the field
	// is written only when the record is new (portatour's "Garder": "the
	// other fields are filled only if the customer is newly created").
	Keep Policy = "keep"
	// FillEmpty keeps an existing non-empty value and fills an empty one.
	FillEmpty Policy = "fill_empty"
	// Overwrite replaces the value with the file's.
	Overwrite Policy = "overwrite"
	// OverwriteIfGreater replaces the value only by a greater one: a later
	// date, a larger number. For date, date-time and number fields only.
	OverwriteIfGreater Policy = "overwrite_if_greater"
)

// CheckPolicy says what is wrong with field's policy, "" if nothing.
// ordered says whether the field's values have an order (dates, date-times,
// numbers); field "" is the default policy, which cannot be
// OverwriteIfGreater since most fields are text.
func CheckPolicy(field string, p Policy, kind string, ordered bool) string {
	switch {
	case field == "" && p != Keep && p != FillEmpty && p != Overwrite:
		return fmt.Sprintf("unknown default policy %q: choose keep, fill_empty or overwrite", p)
	case p == Keep, p == FillEmpty, p == Overwrite:
		return ""
	case p == OverwriteIfGreater && !ordered:
		return fmt.Sprintf("the field %s is %s: overwrite_if_greater is only for date and number fields", field, kind)
	case p == OverwriteIfGreater:
		return ""
	}
	return fmt.Sprintf("unknown policy %q for the field %s: choose keep, fill_empty, overwrite or overwrite_if_greater", p, field)
}

// AssignBy says what an assignment column holds to name a row's user.
type AssignBy string

const (
	ByEmail          AssignBy = "email"
	ByEmployeeNumber AssignBy = "employee_number"
	// ByName finds the user by name ("Anna Berg"), as a Zoho CRM export's
	// owner column names them; case, accents and spacing are ignored, and
	// a name two users share finds neither.
	ByName AssignBy = "name"
)
