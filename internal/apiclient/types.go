package apiclient

import (
	"encoding/json"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
)

// Import is one import as the API shows it (GET /imports/{id}).
type Import struct {
	ID       string     `json:"id"`
	Entity   string     `json:"entity"`
	File     string     `json:"file"`
	Status   crm.Status `json:"status"`
	Reason   string     `json:"reason,omitempty"`
	Users    int        `json:"users"`
	Counts   crm.Counts `json:"counts"`
	Done     int        `json:"done"`  // rows applied so far
	Total    int        `json:"total"` // rows to apply
	Attended bool       `json:"attended"`
	Waiting  *Waiting   `json:"waiting,omitempty"` // while WAITING
	// QueuedBehind: the imports this one waits for to go on.
	QueuedBehind []Queued `json:"queuedBehind,omitempty"`
	// RestorePoint: the table before the import's first write, once
	// taken.
	RestorePoint *RestorePoint `json:"restorePoint,omitempty"`
	CreatedAt    time.Time     `json:"createdAt"`
	UpdatedAt    time.Time     `json:"updatedAt"`
	FinishedAt   time.Time     `json:"finishedAt,omitzero"`
	// Undone: the import was undone (POST /imports/{id}/undo).
	Undone *crm.Undone `json:"undone,omitempty"`
	// Undo: the undo run, its status and progress.
	Undo *crm.UndoRun `json:"undo,omitempty"`
}

// What an import waits for, in Waiting.For.
const (
	ForSelection = "selection"
	ForDecision  = "decision"
	ForResume    = "resume"
)

// Waiting is what a WAITING import waits for the tenant to do.
type Waiting struct {
	For       string    `json:"for"`
	User      *User     `json:"user,omitempty"` // the user in turn, for a decision
	Since     time.Time `json:"since"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Queued is an import another one waits for: the holder of a user's
// records (User, Email), or, without a user, one of the tenant's
// RunningImports imports running at once.
type Queued struct {
	User           string `json:"user,omitempty"`
	Email          string `json:"email,omitempty"`
	Import         string `json:"import"`
	RunningImports int    `json:"runningImports,omitempty"`
}

// Ended reports whether nothing will change the import any more.
func Ended(s crm.Status) bool { return s.Terminal() }

// ImportList is one page of GET /imports, newest first; Next, when set,
// asks for the following page.
type ImportList struct {
	Imports []Import `json:"imports"`
	Next    string   `json:"next,omitempty"`
}

// NewImport asks POST /imports for an import and its upload. Config (a
// saved configuration's name) and InlineConfig exclude each other; neither
// imports with the entity's defaults.
type NewImport struct {
	Entity       string          `json:"entity"`
	Config       string          `json:"config,omitempty"`
	InlineConfig json.RawMessage `json:"inlineConfig,omitempty"`
	FileName     string          `json:"fileName"`
	Size         int64           `json:"size"`
}

// Created is the answer of POST /imports: the job (UPLOADING) and where
// to send its file.
type Created struct {
	Import Import `json:"import"`
	Upload Upload `json:"upload"`
}

// Upload is a presigned POST: every field in order, then the file.
type Upload struct {
	URL       string    `json:"url"`
	Method    string    `json:"method"`
	Fields    Fields    `json:"fields"`
	MaxBytes  int64     `json:"maxBytes"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Report is an import's check report with one page of its row errors.
type Report struct {
	Format         string           `json:"format"`
	Locale         string           `json:"locale"`
	LocaleNote     string           `json:"localeNote,omitempty"`
	Encoding       string           `json:"encoding,omitempty"`
	Delimiter      string           `json:"delimiter,omitempty"`
	Sheet          string           `json:"sheet,omitempty"`
	Rows           int              `json:"rows"`
	RowsWithErrors int              `json:"rowsWithErrors"`
	Mapping        []mapping.Column `json:"mapping"`
	Unmapped       []string         `json:"unmapped"`
	Warnings       []string         `json:"warnings"`
	Preset         string           `json:"preset,omitempty"`
	Missing        []string         `json:"missing"`
	Errors         []crm.RowError   `json:"errors"`
	Total          int              `json:"total"`      // row errors the report keeps
	ErrorCount     int              `json:"errorCount"` // row errors of the file
	Offset         int              `json:"offset"`
	Limit          int              `json:"limit"`
	NextOffset     *int             `json:"nextOffset,omitempty"`
}

// Page asks for a part of a list: from Offset, at most Limit entries
// (0: the API's default).
type Page struct {
	Offset int
	Limit  int
}

// DirectoryUser is the id of the one user of an import of the users
// entity: the tenant's user directory, which has no e-mail
// (steps.DirectoryUser).
const DirectoryUser = "directory"

// User is one of an import's users (sales agents) and its rows.
type User struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	Rows   int    `json:"rows"`
	Status string `json:"status,omitempty"` // pending, excluded, previewing, imported, skipped, failed
}

// Unmatched is an assignment value that names no user, with its rows.
type Unmatched struct {
	Value string `json:"value"`
	Rows  int    `json:"rows"`
}

// Users is the answer of GET /imports/{id}/users: the selection.
type Users struct {
	Users      []User      `json:"users"`
	Unmatched  []Unmatched `json:"unmatched"`
	Unassigned int         `json:"unassigned"`
}

// PlanCounts are a preview's planned operations.
type PlanCounts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Delete    int `json:"delete"`
	Skip      int `json:"skip"` // rows the policies leave alone (update_only with no match)
	Errors    int `json:"errors"`
}

// Change is one field a planned update changes.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// PlannedRow is one planned operation of a preview.
type PlannedRow struct {
	Row     int      `json:"row"`
	Action  string   `json:"action"`
	ID      string   `json:"id,omitempty"`
	Changes []Change `json:"changes,omitempty"`
	// Reason says why a row is skipped or in error; Errors are its
	// row errors.
	Reason string         `json:"reason,omitempty"`
	Errors []crm.RowError `json:"errors,omitempty"`
}

// Preview is the preview of one user's rows, its planned operations paged.
type Preview struct {
	User       User         `json:"user"`
	Counts     PlanCounts   `json:"counts"`
	Matched    int          `json:"matched"` // rows that match existing records
	Sample     []PlannedRow `json:"sample"`
	Rows       []PlannedRow `json:"rows"`
	Total      int          `json:"total"`
	NextOffset *int         `json:"nextOffset,omitempty"`
	// Unresolved are the names of other records (a contact's company)
	// that named none (Matches 0) or several, with their rows.
	Unresolved []Unresolved `json:"unresolved"`
}

// Unresolved is a value of a link column that named no record or several.
type Unresolved struct {
	Field   string `json:"field"`
	Value   string `json:"value"`
	Matches int    `json:"matches"`
	Rows    int    `json:"rows"`
}

// Decisions on the preview of the user in turn.
const (
	DecideImport    = "import"
	DecideSkip      = "skip"
	DecideImportAll = "import-all"
	DecideBack      = "back"
)

// Decision answers a preview. User (an id or e-mail) is required: the
// user whose preview the decision answers. The API refuses it (409)
// unless that user is the one in turn, so a decision sent twice never
// decides on the next user unseen.
type Decision struct {
	Decision string `json:"decision"`
	User     string `json:"user"`
}

// Resume answers an import that waits after "back": Action "continue"
// (with the settings of Config or InlineConfig, or the same ones) or
// "stop".
type Resume struct {
	Action       string          `json:"action"`
	Config       string          `json:"config,omitempty"`
	InlineConfig json.RawMessage `json:"inlineConfig,omitempty"`
}

// Result is what the import did for one of its users so far: imported
// (with its counts), skipped, excluded, or still pending.
type Result struct {
	User   User       `json:"user"`
	Status string     `json:"status"`
	Counts crm.Counts `json:"counts"`
}

// Summary is the closing summary of an import that has ended.
type Summary struct {
	ID           string        `json:"id"`
	Status       crm.Status    `json:"status"`
	Reason       string        `json:"reason,omitempty"`
	Counts       crm.Counts    `json:"counts"`
	Users        []UserSummary `json:"users"`
	HasErrorFile bool          `json:"hasErrorFile"`
	// Duplicates counts the pairs of likely duplicates the import's
	// records make (Client.Duplicates lists them); -1 when they were not
	// looked for.
	Duplicates int `json:"duplicates"`
}

// Duplicates is one page of an import's likely duplicates.
type Duplicates struct {
	ImportID   string          `json:"importId"`
	Entity     string          `json:"entity"`
	Checked    int             `json:"checked"`
	Total      int             `json:"total"`
	WithinFile int             `json:"withinFile"`
	Existing   int             `json:"existing"`
	Pairs      []DuplicatePair `json:"pairs"`
	// Common are values so many existing records share that only some of
	// them were paired.
	Common []struct {
		Shared    string `json:"shared"`
		Value     string `json:"value"`
		NotPaired int    `json:"notPaired"`
	} `json:"common"`
	Listed     int  `json:"listed"`
	NextOffset *int `json:"nextOffset,omitempty"`
}

// DuplicatePair is two records that look like one, and what they share
// (email, phone, national_id, name_postcode) with its value.
type DuplicatePair struct {
	A          DuplicateRecord   `json:"a"`
	B          DuplicateRecord   `json:"b"`
	Shared     map[string]string `json:"shared"`
	WithinFile bool              `json:"withinFile"`
}

// DuplicateRecord is one record of a pair; Import says the import wrote it.
type DuplicateRecord struct {
	ID     string `json:"id"`
	User   string `json:"user"`
	Name   string `json:"name,omitempty"`
	Import bool   `json:"import"`
}

// UserSummary is what applying one user's rows did.
type UserSummary struct {
	ID     string     `json:"id"`
	Email  string     `json:"email"`
	Rows   int        `json:"rows"`
	Counts crm.Counts `json:"counts"`
}

// ConfigSummary is one saved configuration in GET /configs.
type ConfigSummary struct {
	Name   string   `json:"name"`
	Entity string   `json:"entity"`
	Mode   crm.Mode `json:"mode"`
}

// Export is where an export of records can be downloaded, until ExpiresAt.
type Export struct {
	Entity    string    `json:"entity"`
	Format    string    `json:"format"`
	FileName  string    `json:"fileName"`
	Records   int       `json:"records"`
	Users     int       `json:"users"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
