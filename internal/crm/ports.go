package crm

import (
	"context"
	"io"
	"time"
)

// The ports: what the pipeline needs from the outside world. Each is
// implemented by one adapter package (S3, DynamoDB, Step Functions,
// EventBridge) and by an in-memory double in internal/crmtest. Errors come
// back as *Error with a kind: NotFound for something missing, Unavailable
// for a busy or unreachable service, Internal for the rest.

// Files is where the uploads are and where steps keep their work files.
type Files interface {
	// Open streams an object.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Download copies one version of an upload into a local file, for
	// readers that need random access (zip-based workbooks). An upload
	// replaced since (its ETag no longer matches) is a Conflict.
	Download(ctx context.Context, obj Object, path string) error
	// Stat tells the size and user metadata of one version of an upload
	// without reading it, so it can be refused before a byte of it is
	// downloaded.
	Stat(ctx context.Context, obj Object) (FileInfo, error)
	// PutFile uploads a local file; Put a small object from memory.
	PutFile(ctx context.Context, key, path, contentType string) error
	Put(ctx context.Context, key string, data []byte, contentType string) error
}

// FileInfo is what Files.Stat tells of an object.
type FileInfo struct {
	Size int64 // bytes
	// Metadata is the user metadata (x-amz-meta-* on S3); empty, never nil,
	// when the object has none.
	Metadata map[string]string
}

// Jobs keeps the import jobs.
type Jobs interface {
	// Create stores a new job; false, and nothing changed, when a job with
	// that id exists already.
	Create(ctx context.Context, j Job) (bool, error)
	// Get returns a job with the rows applied so far in Done. A missing
	// job is NotFound.
	Get(ctx context.Context, tenant, id string) (Job, error)
	// Update applies c. A job that has ended keeps its status: updating it
	// is a Conflict.
	Update(ctx context.Context, tenant, id string, c JobChange) error
	// SetProgress sets how many of a user's rows (and planned deletions)
	// are applied; SetDeletes how many records the user's plan deletes.
	// Set, not added, so a retried step does not count twice.
	SetProgress(ctx context.Context, tenant, id, user string, done int) error
	SetDeletes(ctx context.Context, tenant, id, user string, n int) error
	// SetWaiting records that the job waits for import holder to finish
	// with a user's records; holder "" says it waits no more.
	SetWaiting(ctx context.Context, tenant, id, user, holder string) error
	// SetWait records that the workflow waits for the tenant: the job is
	// WAITING with w. An ended job is a Conflict.
	SetWait(ctx context.Context, tenant, id string, w Wait) error
	// TakeWait takes the job's wait for f away, once: the job is next
	// (APPLYING or PREVIEWING, as the answer says) and the wait (its
	// token) is returned. A job that does not
	// wait for f (the answer was given already, the wait ended) is a
	// Conflict saying WaitEnded.
	TakeWait(ctx context.Context, tenant, id string, f WaitFor, next Status) (Wait, error)
	// GiveBackWait puts back w, which TakeWait took, when its answer could
	// not be sent: only while the job waits for nothing and is still in
	// taken, the status TakeWait left it in. Otherwise (the answer did
	// arrive, and the workflow has moved on: a later wait is recorded, or
	// the job ended) it is a Conflict and nothing changes, so a late
	// give-back never replaces a live token with a dead one.
	GiveBackWait(ctx context.Context, tenant, id string, w Wait, taken Status) error
	// SetUserStatus records a user's place in an attended import.
	SetUserStatus(ctx context.Context, tenant, id, user string, st UserStatus) error
	// SetDropped takes a user's rows out of the job's total: none of them
	// will be applied (the tenant excluded or skipped the user, or stopped
	// the import before them), so the progress can reach its end. The
	// user's planned deletions leave the total too. Set, not added, so a
	// retried step does not take them out twice.
	SetDropped(ctx context.Context, tenant, id, user string, rows int) error
	// Open returns the jobs of every tenant that have not ended and were
	// created before before, oldest first, as Get returns them: what the
	// sweeper looks at, without reading the jobs that have ended.
	Open(ctx context.Context, before time.Time) ([]Job, error)
	// List returns a tenant's jobs, newest first, as Get returns them:
	// the import history the API shows.
	List(ctx context.Context, tenant string) ([]Job, error)
	// TakeOver gives an UPLOADING job the upload that arrived for it: the
	// job becomes RECEIVED with obj's version and ETag, in one conditional
	// write. The same object again (a repeated S3 event) is true as well;
	// false, and nothing changed, when the job has taken another upload or
	// is no longer UPLOADING. A missing job is NotFound.
	TakeOver(ctx context.Context, tenant, id string, obj Object) (bool, error)
	// SetUndone records that an ended job was undone; a job that has not
	// ended is a Conflict, a missing one NotFound.
	SetUndone(ctx context.Context, tenant, id string, u Undone) error
}

// Uploads signs the form a tenant uploads a file with (S3's presigned
// POST), so the file goes straight to the bucket, not through the API.
type Uploads interface {
	PresignUpload(ctx context.Context, u UploadRequest) (UploadForm, error)
	// PresignDownload returns a link that downloads the object at key as
	// a file named fileName until it expires.
	PresignDownload(ctx context.Context, key, fileName string, expires time.Duration) (url string, expiresAt time.Time, err error)
}

// UploadRequest is what a presigned upload allows: one key, at most
// MaxBytes, until Expires, with the metadata fixed.
type UploadRequest struct {
	Key      string
	MaxBytes int64
	Expires  time.Duration
	Metadata map[string]string // without the x-amz-meta- prefix
}

// UploadForm is a presigned POST: the URL and the form fields to send, in
// any order, before the file (the last part, named "file").
type UploadForm struct {
	URL       string
	Fields    map[string]string
	ExpiresAt time.Time
}

// Leases serialise the imports that write the same records.
type Leases interface {
	// Acquire takes l, or extends it when l.Holder holds it already. While
	// another import holds an unexpired lease on the same records it
	// fails with a Busy error naming that import (see HolderOf).
	Acquire(ctx context.Context, l Lease) error
	// Release gives l up. Releasing a lease that l.Holder no longer holds
	// (it expired and another import took it) changes nothing.
	Release(ctx context.Context, l Lease) error
}

// Tenants reads a tenant's users, import settings and saved import
// configurations, and writes its users (an import of the users entity).
type Tenants interface {
	Users(ctx context.Context, tenant string) ([]User, error)
	// PutUsers adds each user, or replaces the one with its ID.
	PutUsers(ctx context.Context, tenant string, users []User) error
	// Profile returns the tenant's settings; the zero Profile when it has
	// none.
	Profile(ctx context.Context, tenant string) (Profile, error)
	// Config returns a saved configuration's JSON; NotFound when there is
	// no configuration of that name.
	Config(ctx context.Context, tenant, name string) ([]byte, error)
	// ListConfigs returns the tenant's saved configurations, by name.
	ListConfigs(ctx context.Context, tenant string) ([]SavedConfig, error)
	// SaveConfig stores a configuration's JSON under a name, as written,
	// replacing the one of that name.
	SaveConfig(ctx context.Context, tenant, name string, raw []byte) error
	// DeleteConfig removes a saved configuration; NotFound when there is
	// none of that name.
	DeleteConfig(ctx context.Context, tenant, name string) error
}

// SavedConfig is a saved import configuration: its name and its JSON as the
// tenant wrote it.
type SavedConfig struct {
	Name string
	JSON []byte
}

// Records is the store of users' records.
type Records interface {
	// Query returns all of a user's records of an entity, strongly
	// consistent: a plan made right after a write must see it.
	Query(ctx context.Context, tenant, user, entity string) ([]Record, error)
	// Current returns the records of the scope whose IDs lie between lo
	// and hi (inclusive) as they are now, by ID: the re-check apply makes
	// just before it writes.
	Current(ctx context.Context, s Scope, lo, hi string) (map[string]Stored, error)
	// Write stores a before-image of every write, and has them
	// acknowledged, before it makes the writes: no record is changed
	// without the image of what it replaced.
	Write(ctx context.Context, s Scope, writes []Write) error
	// CountBeforeImages counts the records an import has started to change.
	CountBeforeImages(ctx context.Context, tenant, importID string) (int, error)
}

// Workflow starts import workflows and tells how they stand.
type Workflow interface {
	// Start starts an execution named name; false when one of that name
	// exists already (a repeated S3 event).
	Start(ctx context.Context, name string, input any) (started bool, err error)
	// Status returns where the execution named name stands; NotFound when
	// none was started under that name.
	Status(ctx context.Context, name string) (ExecutionStatus, error)
	// SendTaskSuccess completes the wait whose task token is token with
	// output. A token whose wait has ended (answered, timed out, its
	// execution stopped) is a Conflict saying WaitEnded.
	SendTaskSuccess(ctx context.Context, token string, output any) error
}

// ExecutionStatus is where a workflow execution stands, in Step Functions'
// words. Statuses other than these (a redrive pending) are an execution
// that will still run.
type ExecutionStatus string

const (
	ExecutionRunning   ExecutionStatus = "RUNNING"
	ExecutionSucceeded ExecutionStatus = "SUCCEEDED"
	ExecutionFailed    ExecutionStatus = "FAILED"
	ExecutionTimedOut  ExecutionStatus = "TIMED_OUT"
	ExecutionAborted   ExecutionStatus = "ABORTED"
)

// Notifier announces import events (ImportSucceeded, ImportFailed).
type Notifier interface {
	Send(ctx context.Context, detailType string, detail any) error
}
