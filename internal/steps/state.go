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

	// Map names the Map's items, which are in S3, never in the state: the
	// state stays the same size however many users the file has (Step
	// Functions caps it at 256 KB). Set by split (every user) and by the
	// wizard's import-all (the users left); nil when no user is left.
	Map *MapItems `json:"map,omitempty"`
	// MapRun is the Distributed Map's part, set by the workflow only on its
	// way through the Map: its concurrency before it runs, what its
	// ResultWriter wrote after. Each user's result is in S3 (crm.Work
	// Result), so the Map's output stays small.
	MapRun *MapRun `json:"mapRun,omitempty"`

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

// MapItems is the manifest the Map reads its items from (ItemReader): a
// JSON array of crm.UserRef, one item per user.
type MapItems struct {
	Key   string `json:"key"`   // crm.Work Items
	Users int    `json:"users"` // how many it lists
}

// MapRun is set by the workflow: MaxConcurrency by the state before the
// Map (from the stack's MapConcurrency), then the Map's ResultWriter
// output in place of it.
type MapRun struct {
	MaxConcurrency      int                  `json:"maxConcurrency,omitempty"`
	MapRunArn           string               `json:"MapRunArn,omitempty"`
	ResultWriterDetails *ResultWriterDetails `json:"ResultWriterDetails,omitempty"`
}

// ResultWriterDetails says where a Distributed Map wrote its manifest:
// under map-results/ (the template expires it as it does work/), a
// fixed prefix because moto reads a path in ResultWriter's Parameters
// from the Map's results, not from its input.
type ResultWriterDetails struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"`
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
