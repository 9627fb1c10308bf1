package crm

// Record is one existing record of a user, as the record store holds it.
type Record struct {
	Entity string            `json:"entity"`
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
	// Version counts the writes of the record; apply writes the version a
	// plan saw plus one, so a different one means someone else wrote it.
	Version int64 `json:"version"`
	// ImportID is the import that wrote the record last, "" if none did.
	ImportID string `json:"import_id,omitempty"`
}

// Scope is whose records one apply writes: one user's records of one
// entity, on behalf of one import.
type Scope struct {
	Tenant   string
	User     string
	Entity   string
	ImportID string
	// Chunk names the part of the plan one Write carries out (apply's
	// chunk: its lowest record ID), the same when a failed chunk is
	// retried, so the store can keep the images of its creates on one item
	// a retry adds to instead of replacing. "" for writes of no chunk.
	Chunk string
}

// Stored is a record as the re-check before a write finds it. Opaque is the
// store's own copy of it, handed back with the write so that attributes
// the domain does not know survive, and a before-image can hold the whole
// old item.
type Stored struct {
	Record
	Opaque any
	// Unreadable says the store holds the record but cannot read it (only
	// Record.ID is set): it has no version to compare, so apply reports a
	// conflict rather than overwrite what it does not understand.
	Unreadable bool
}

// WriteKind is what a write does to a record.
type WriteKind string

const (
	WriteCreate WriteKind = "create"
	WriteUpdate WriteKind = "update"
	WriteDelete WriteKind = "delete"
)

// Write is one change apply has decided on. The store writes a
// before-image of it (Before, or "did not exist") ahead of the change.
type Write struct {
	Kind WriteKind
	ID   string
	Row  int // the file row, 0 for a delete
	// Fields are all of the record's fields after a create or update.
	Fields map[string]string
	// Version is the record's version after the write: the planned one
	// plus one; 0 after a delete.
	Version int64
	// Before is the record as found just before the write, nil when there
	// was none.
	Before *Stored
}
