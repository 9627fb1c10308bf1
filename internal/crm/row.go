package crm

import "fmt"

// Row is one data row of a tenant's file, validated: what the validate
// step writes to records.jsonl, split hands each user in users/{user}.jsonl,
// and preview plans. One JSON object a line:
//
//	{"row":2,"fields":{"name":"Müller GmbH","customer_number":"1001"},"assignee":"anna@acme.example"}
//	{"row":3,"fields":{"name":"Ohne Nummer"},"errors":[{"row":3,"column":"E-Mail","field":"email","value":"anna@","reason":"is not an e-mail address"}]}
type Row struct {
	// Number is the row number the tenant sees in the spreadsheet (the
	// title row is 1).
	Number int `json:"row"`
	// Fields holds the mapped fields only, with canonical values. A field
	// whose column is not in the file is absent, so it is left alone; an
	// empty cell is "" (and left out of the validated file).
	Fields map[string]string `json:"fields"`
	// Assignee is the trimmed cell of the assignment column; "" when no
	// assignment column is configured.
	Assignee string `json:"assignee,omitempty"`
	// Errors, when any, say why the row must not be applied. Such a row
	// is still reported, and its key still protects the record it names
	// from deletion.
	Errors []RowError `json:"errors,omitempty"`
}

// RowError is a value, or a row, the tenant must fix, in words a tenant
// understands.
type RowError struct {
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"` // the column's title as in the file; empty for the whole row
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"` // as in the file, cut to MaxShownValue characters
	Reason string `json:"reason"`
}

// MaxShownValue is how much of a bad value an error repeats.
const MaxShownValue = 100

func (e RowError) Error() string {
	switch {
	case e.Column == "":
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	case e.Value == "":
		return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Reason)
	default:
		return fmt.Sprintf("row %d, column %q: %q %s", e.Row, e.Column, e.Value, e.Reason)
	}
}
