package crm

import "time"

// Status is where a job stands. A job ends SUCCEEDED or FAILED, never in
// between without saying so.
type Status string

const (
	Received   Status = "RECEIVED"
	Validating Status = "VALIDATING"
	Splitting  Status = "SPLITTING"
	Applying   Status = "APPLYING"
	// Previewing: an attended import plans a user's rows for the tenant
	// to look at; nothing is written until the tenant says so.
	Previewing Status = "PREVIEWING"
	Succeeded  Status = "SUCCEEDED"
	Failed     Status = "FAILED"
	// Waiting: the workflow waits for the tenant (the job's Wait says
	// what for).
	Waiting Status = "WAITING"
	// Stopped: the tenant ended the import after "back"; what was applied
	// stays applied.
	Stopped Status = "STOPPED"
	// Expired: a wait for the tenant timed out; nothing more was applied.
	Expired Status = "EXPIRED"
)

// Uploading is a job the API created (POST /imports) whose file has not
// arrived yet; the trigger takes it over, RECEIVED, when it does.
const Uploading Status = "UPLOADING"

// TerminalStatuses are the statuses of a job that has ended.
var TerminalStatuses = []Status{Succeeded, Failed, Stopped, Expired}

// Terminal reports whether no step will change the job any more.
func (s Status) Terminal() bool {
	return s == Succeeded || s == Failed || s == Stopped || s == Expired
}

// Counts are the row outcomes of a job, summed over its users.
type Counts struct {
	Rows      int `json:"rows"`
	Invalid   int `json:"invalid"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
}

// Add returns the sum of two counts.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		Rows:      c.Rows + o.Rows,
		Invalid:   c.Invalid + o.Invalid,
		Created:   c.Created + o.Created,
		Updated:   c.Updated + o.Updated,
		Unchanged: c.Unchanged + o.Unchanged,
		Deleted:   c.Deleted + o.Deleted,
		Skipped:   c.Skipped + o.Skipped,
		Failed:    c.Failed + o.Failed,
	}
}

// Job is the record of one import: one uploaded file on its way through
// the pipeline, from the trigger to its summary.
type Job struct {
	Tenant string `json:"tenant"`
	ID     string `json:"id"`
	Entity string `json:"entity"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
	Users  int    `json:"users"`
	Counts Counts `json:"counts"`
	Done   int    `json:"done"`  // rows applied so far
	Total  int    `json:"total"` // rows to apply, planned deletions included
	// Waiting names, per user, the import this one waits for: another
	// import is writing that user's records of the same entity. Under the
	// key "*" (steps.WaitingForSlot) it names one of the tenant's running
	// imports, when all the slots for them are taken.
	Waiting    map[string]string `json:"waiting,omitempty"`
	ErrorFile  string            `json:"errorFile,omitempty"`
	Summary    string            `json:"summary,omitempty"` // key of the closing Summary in the work files
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
	FinishedAt time.Time         `json:"finishedAt,omitzero"`

	// Set by the API for an import it created (POST /imports): who asked
	// for it, with which role, and the configuration they chose (Config,
	// a saved one by name; InlineConfig, one written to Work.Inline; neither,
	// the entity's defaults). A drop by a sync has none of them.
	By           string `json:"by,omitempty"`
	Role         string `json:"role,omitempty"`
	Config       string `json:"config,omitempty"`
	InlineConfig bool   `json:"inlineConfig,omitempty"`
	// Version and ETag are those of the upload that took the job over.
	Version string `json:"version,omitempty"`
	ETag    string `json:"etag,omitempty"`

	// Attended: the workflow waits for the tenant's selection and
	// decisions (wizard.go of internal/steps decides it).
	Attended bool `json:"attended,omitempty"`
	// Wait is what the workflow waits for, while the job is WAITING.
	Wait *Wait `json:"wait,omitempty"`
	// UserStatus is each user's place in an attended import: excluded,
	// previewing, imported, skipped; a user not in it is pending.
	UserStatus map[string]UserStatus `json:"userStatus,omitempty"`

	// RestorePoint is the table as it was before the import's first
	// write (restorepoint.go of internal/steps takes it).
	RestorePoint *RestorePoint `json:"restorePoint,omitempty"`
	// Undone says the import was undone, when, by whom, and what the undo
	// did (undo.go); nil while it is not.
	Undone *Undone `json:"undone,omitempty"`
	// Undo is the undo run, as its workflow makes it (undo.go): RUNNING
	// with its progress, then how it ended; nil before the first.
	Undo *UndoRun `json:"undo,omitempty"`
}

// JobChange is a partial update of a job. Zero fields are left alone.
type JobChange struct {
	Status    Status
	Reason    string
	Users     int
	Counts    *Counts
	Total     int
	ErrorFile string
	Summary   string
	// Attended marks the import as one the tenant answers; false leaves
	// it alone.
	Attended bool
	// RestorePoint records the restore point taken for the import; nil
	// leaves it alone.
	RestorePoint *RestorePoint
}

// UserResult is what applying one user's rows did.
type UserResult struct {
	ImportID string  `json:"importId"`
	Tenant   string  `json:"tenant"`
	User     UserRef `json:"user"`
	Counts   Counts  `json:"counts"`
	// Linked counts, per entity, the records created for the rows to link
	// to (a contact's company); Counts are of the rows' own records.
	Linked map[string]int `json:"linked,omitempty"`
	// Conflicts counts the rows of Counts.Failed not applied because
	// their record was changed after the preview.
	Conflicts int `json:"conflicts,omitempty"`
}

// UserRef is one user's share of an import.
type UserRef struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Rows  int    `json:"rows"`
}

// Summary is the closing report of an import, kept with its work files and
// sent with the ImportSucceeded or ImportFailed event.
type Summary struct {
	ImportID  string       `json:"importId"`
	Tenant    string       `json:"tenant"`
	Status    Status       `json:"status"`
	Reason    string       `json:"reason,omitempty"`
	Counts    Counts       `json:"counts"`
	Users     []UserResult `json:"users"`
	ErrorFile string       `json:"errorFile,omitempty"`
	// Duplicates counts the pairs of likely duplicates the import's
	// records make (work file Duplicates); -1 when they were not looked for.
	Duplicates int `json:"duplicates,omitempty"`
	// Linked counts, per entity, the records created for the rows to link
	// to (a contact's company), beside Counts, which are the rows' own.
	Linked map[string]int `json:"linked,omitempty"`
	// UsersOmitted counts the users an event's summary leaves out
	// (ForEvent); the summary file lists them all.
	UsersOmitted int `json:"usersOmitted,omitempty"`
}

// EventUsers is how many users' results an event's summary lists: an
// EventBridge event holds at most 256 KB, and a user's result is ~250 bytes.
const EventUsers = 200

// ForEvent is the summary an event carries: the first EventUsers users'
// results and how many more there are; the counts are the whole import's.
func (s Summary) ForEvent() Summary {
	if len(s.Users) > EventUsers {
		s.UsersOmitted = len(s.Users) - EventUsers
		s.Users = s.Users[:EventUsers:EventUsers]
	}
	return s
}

// Event detail types the pipeline announces.
const (
	ImportSucceeded = "ImportSucceeded"
	ImportFailed    = "ImportFailed"
	ImportWaiting   = "ImportWaiting"
	ImportStopped   = "ImportStopped"
	ImportExpired   = "ImportExpired"
)
