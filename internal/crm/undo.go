package crm

import (
	"context"
	"time"
)

// Undo of one import job: apply keeps a before-image of every record it
// changes (Records.Write), and undo reads them back to put the records as
// they were.

// BeforeImage is what apply kept of one record before it changed it.
type BeforeImage struct {
	User   string
	Entity string
	ID     string
	Op     WriteKind
	// Before is the record as it was, Opaque the store's whole item; nil
	// when the import created the record.
	Before *Stored
	// VersionAfter is the version the import left the record at; 0 after
	// a delete.
	VersionAfter int64
}

// UndoWrite is one change undo makes: Restore is put back (nil: the record
// is deleted), only while the record is still as Expect says (nil: absent),
// so a record changed since undo looked at it is refused, not overwritten.
type UndoWrite struct {
	User    string
	Entity  string
	ID      string
	Restore *Stored
	Expect  *Record
}

// BeforeImages reads an import's before-images and makes its undo: the
// part of the record store only undo needs.
type BeforeImages interface {
	// ReadBeforeImages calls each with the import's before-images a page
	// at a time, ordered by user, entity and ID, so no import has to fit
	// in memory.
	ReadBeforeImages(ctx context.Context, tenant, importID string, each func([]BeforeImage) error) error
	// Undo makes the writes, each only while its record is as Expect
	// says, and returns the indexes of those it refused for that reason.
	Undo(ctx context.Context, tenant string, writes []UndoWrite) (refused []int, err error)
}

// Undone is what the job record keeps of its undo: when, by whom, and
// what it did.
type Undone struct {
	At        time.Time `json:"at"`
	By        string    `json:"by,omitempty"`
	Forced    bool      `json:"forced,omitempty"`
	Deleted   int       `json:"deleted"`
	Restored  int       `json:"restored"`
	Conflicts int       `json:"conflicts"`
}

// ImportUndone is the event of an undo that acted.
const ImportUndone = "ImportUndone"
