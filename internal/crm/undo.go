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
	// in memory, and with next, where the following page starts. It
	// starts at from ("": the first page), a next an earlier call handed
	// over, so an undo cut into batches goes on where one ended. limit > 0
	// caps a page at limit stored images (one of a chunk's creates holds
	// up to a chunk of IDs); 0 leaves the store's pages.
	ReadBeforeImages(ctx context.Context, tenant, importID, from string, limit int, each func(page []BeforeImage, next string) error) error
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

// UndoStatus is where an undo run stands.
type UndoStatus string

const (
	UndoRunning   UndoStatus = "RUNNING"
	UndoSucceeded UndoStatus = "SUCCEEDED"
	UndoFailed    UndoStatus = "FAILED"
)

// UndoRun is the job's undo as its own workflow makes it: confirmed by By
// at At, its progress (Done of Total before-images looked at) and counts
// while it runs, and how it ended. The API shows it as "undo".
type UndoRun struct {
	Status    UndoStatus `json:"status"`
	Done      int        `json:"done"`
	Total     int        `json:"total"`
	Deleted   int        `json:"deleted"`
	Restored  int        `json:"restored"`
	Conflicts int        `json:"conflicts"`
	By        string     `json:"by,omitempty"`
	At        time.Time  `json:"at"`
	Forced    bool       `json:"forced"`
	EndedAt   *time.Time `json:"endedAt,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	// Execution names the workflow execution that makes this run: only
	// it may write the run's progress and end, so a stopped execution
	// that wakes up late cannot overwrite the run that replaced it.
	Execution string `json:"-"`
}

// UndoRuns keeps the undo run on its job.
type UndoRuns interface {
	// StartUndo records run (RUNNING) on an ended job, replacing the run
	// before it when that one has ended or is the run of execution
	// replace (whose workflow the caller saw end without closing it).
	// A job whose undo runs is a Conflict; a missing job NotFound.
	StartUndo(ctx context.Context, tenant, id string, run UndoRun, replace string) error
	// UpdateUndo writes run, progress or end, while the job's run is
	// still run.Execution's; otherwise it is a Conflict and nothing
	// changes.
	UpdateUndo(ctx context.Context, tenant, id string, run UndoRun) error
}
