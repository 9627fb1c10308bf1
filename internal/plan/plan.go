// Package plan decides, for one user's rows of an import, what happens to
// each of that user's existing records: create, update (each field old ->
// new), leave unchanged, delete, skip or report an error. The preview is this
// plan summarised; apply carries it out.
package plan

import (
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/match"
)

// Kind says how a field's values compare: as text, number, date or
// date-time. The caller maps its schema onto these.
type Kind = match.Kind

const (
	Text     = match.Text
	Number   = match.Number
	Date     = match.Date
	DateTime = match.DateTime
)

// OpKind is what an operation does.
type OpKind string

const (
	OpCreate    OpKind = "create"
	OpUpdate    OpKind = "update"
	OpUnchanged OpKind = "unchanged"
	OpDelete    OpKind = "delete"
	OpSkip      OpKind = "skip"
	OpError     OpKind = "error"
)

// Change is one field changed by an update: old -> new ("" is empty).
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Op is one planned operation. Ops are written to S3 as JSON lines and
// streamed back by apply.
type Op struct {
	Kind OpKind `json:"op"`
	// Row is the file row, 0 for a delete (its record is in no row).
	Row int `json:"row,omitempty"`
	// ID of the record created, updated, unchanged or deleted.
	ID string `json:"id,omitempty"`
	// Version is the record's version the plan was made against (0 for a
	// create). Apply writes Version+1 and treats any other version it finds
	// as a change made since the plan, unless this import wrote it.
	Version int64 `json:"version,omitempty"`
	// Fields are all of the record's fields after a create or update, so
	// apply can write the item without reading it first.
	Fields map[string]string `json:"fields,omitempty"`
	// Changes lists the fields an update changes, old -> new.
	Changes []Change `json:"changes,omitempty"`
	// Key describes the row's (or deleted record's) key values.
	Key string `json:"key,omitempty"`
	// Reason says why a row is skipped or a record deleted.
	Reason string `json:"reason,omitempty"`
	// Errors say why a row is in error.
	Errors []crm.RowError `json:"errors,omitempty"`
}

// Writes reports whether apply must write something for the op.
func (o Op) Writes() bool {
	return o.Kind == OpCreate || o.Kind == OpUpdate || o.Kind == OpDelete
}

// Plan is one user's plan, in memory. A user's plan of 100,000 ops (with
// their existing records) fits comfortably in a Lambda's memory; the plan is
// then written out as JSON lines so apply can stream it.
type Plan struct {
	// Ops are ordered by record ID (ops without one, skips and errors of
	// unmatched rows, last, by row), so apply can re-check a run of ops with
	// one ranged Query.
	Ops     []Op
	Preview Preview
}
