// Package steps holds the Lambda handlers of the import workflow. Each step
// reads what earlier steps left in S3 and DynamoDB, does its part, and hands
// on a small State: keys and counts, never rows, because Step Functions
// payloads are capped at 256 KB.
package steps

import (
	"encoding/json"
	"log/slog"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/lambdafn"
)

// State travels through the workflow. Each step returns it with its own
// fields filled in.
type State struct {
	ImportID string `json:"importId"`
	Tenant   string `json:"tenant"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	// Version and ETag pin every read of the upload to the object the
	// job was created for.
	Version string `json:"version,omitempty"`
	ETag    string `json:"etag,omitempty"`
	Entity  string `json:"entity"`

	Rows    int `json:"rows,omitempty"`    // data rows in the file
	Invalid int `json:"invalid,omitempty"` // rows with a validation error

	Users   []crm.UserRef    `json:"users,omitempty"`   // set by split: one Map item each
	Results []crm.UserResult `json:"results,omitempty"` // set by the Map: one per user

	// Wizard is the attended import's loop (wizard.go); set by the wizard
	// step, which runs after split.
	Wizard *Wizard `json:"wizard,omitempty"`
	// RestorePoint is the export taken before the first write
	// (restorepoint.go); set right after split.
	RestorePoint *RestorePointState `json:"restorePoint,omitempty"`
	// Expired is set by the Catch of a wait that timed out.
	Expired *StepError `json:"expired,omitempty"`

	// Error is set by the workflow's Catch: the failed step's error.
	Error *StepError `json:"error,omitempty"`
}

// allUsers are every user split found: the Map's items are only the
// users left when the tenant chose import-all.
func (s State) allUsers() []crm.UserRef {
	if s.Wizard != nil && s.Wizard.All != nil {
		return s.Wizard.All
	}
	return s.Users
}

// UserTask is the input of the per-user steps (the Map's ItemSelector).
type UserTask struct {
	ImportID string      `json:"importId"`
	Tenant   string      `json:"tenant"`
	User     crm.UserRef `json:"user"`
}

// StepError is what a Catch puts in the state: the error's type name and a
// JSON cause that holds the Lambda's error message.
type StepError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// lambdaCause is the Cause of a failed Lambda task.
type lambdaCause struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// Reason returns what the tenant may be told about the failure: the message
// of a refusal, a generic sentence for anything else.
func (e *StepError) Reason() string {
	var c lambdaCause
	_ = json.Unmarshal([]byte(e.Cause), &c)
	switch {
	case e.Error == lambdafn.RefusedName || c.ErrorType == lambdafn.RefusedName:
		return c.ErrorMessage
	case e.Error == lambdafn.BusyName || c.ErrorType == lambdafn.BusyName:
		// The workflow waited for hours and gave up.
		return "the import waited too long and was stopped (" + c.ErrorMessage + "): upload the file again once the other import has ended"
	case e.Error == "States.Timeout":
		return "the import took too long and was stopped"
	default:
		return crm.InternalMessage
	}
}

// upload is the object version the import reads.
func (s State) upload() crm.Object { return crm.Object{Key: s.Key, Version: s.Version, ETag: s.ETag} }

// work is the layout of the import's work files.
func (s State) work() crm.Work    { return crm.Work{Tenant: s.Tenant, ImportID: s.ImportID} }
func (t UserTask) work() crm.Work { return crm.Work{Tenant: t.Tenant, ImportID: t.ImportID} }

// Logger puts the import's tenant and id, and the step, on every log line.
func (s State) Logger(base *slog.Logger, step string) *slog.Logger {
	return base.With("tenant", s.Tenant, "importId", s.ImportID, "step", step)
}

// Logger puts the import's tenant and id, the step and the user on every
// log line.
func (t UserTask) Logger(base *slog.Logger, step string) *slog.Logger {
	return base.With("tenant", t.Tenant, "importId", t.ImportID, "step", step, "user", t.User.ID)
}
