package crm

// User is a user of the tenant's CRM, to whom rows are assigned: a sales
// agent.
type User struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	EmployeeNumber string `json:"employeeNumber,omitempty"`
	Name           string `json:"name,omitempty"`
	// Fields are the user's fields as the last import of the users entity
	// wrote them (phone, department, role...), so a later import compares
	// against them; nil for a user no import wrote.
	Fields map[string]string `json:"fields,omitempty"`
}

// Default limits of one import: portatour's numbers.
const (
	DefaultMaxRows  = 100000
	DefaultMaxUsers = 100
	// DefaultMaxUploadBytes (1 GiB) admits the 1,000,000-row file the
	// pipeline promises to stream (about 300-600 MB as CSV with a few dozen
	// columns) with room to spare, while the validate step's 10 GB of
	// ephemeral storage holds the upload, its unpacked workbook (capped at
	// 1 GiB) and records.jsonl several times over.
	DefaultMaxUploadBytes = 1 << 30
	// DefaultMaxRunningImports is how many of a tenant's imports run at
	// once; the others wait their turn, so one tenant dropping hundreds of
	// files cannot take the account's concurrency from the others.
	DefaultMaxRunningImports = 5
)

// Limits are the stack's limits of one import; a tenant's Profile can
// override them.
type Limits struct {
	MaxRows  int
	MaxUsers int
	// MaxUploadBytes bounds the uploaded file's size; 0 means
	// DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// MaxRunningImports bounds a tenant's imports running at once; 0 means
	// DefaultMaxRunningImports.
	MaxRunningImports int
}

// Profile is a tenant's import settings.
type Profile struct {
	// MaxRows, MaxUsers, MaxUploadBytes and MaxRunningImports override the
	// stack's defaults when above zero.
	MaxRows           int   `json:"maxRows,omitempty"`
	MaxUsers          int   `json:"maxUsers,omitempty"`
	MaxUploadBytes    int64 `json:"maxUploadBytes,omitempty"`
	MaxRunningImports int   `json:"maxRunningImports,omitempty"`
	// SyncedFrom names the system (Salesforce, Dynamics) the tenant's CRM data
	// is synchronised from. Such tenants cannot import: the next sync would
	// overwrite whatever the import wrote.
	SyncedFrom string `json:"syncedFrom,omitempty"`
	// WaitSeconds overrides, when above zero, how long an attended import
	// waits for each answer of the tenant before it expires.
	WaitSeconds int `json:"waitSeconds,omitempty"`
}

// Limits returns the limits in force for the tenant, given the stack's.
func (p Profile) Limits(stack Limits) Limits {
	if p.MaxRows > 0 {
		stack.MaxRows = p.MaxRows
	}
	if p.MaxUsers > 0 {
		stack.MaxUsers = p.MaxUsers
	}
	if p.MaxUploadBytes > 0 {
		stack.MaxUploadBytes = p.MaxUploadBytes
	}
	if p.MaxRunningImports > 0 {
		stack.MaxRunningImports = p.MaxRunningImports
	}
	// Limits a stack leaves at zero are the defaults, not "no limit".
	if stack.MaxUploadBytes <= 0 {
		stack.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if stack.MaxRunningImports <= 0 {
		stack.MaxRunningImports = DefaultMaxRunningImports
	}
	return stack
}
