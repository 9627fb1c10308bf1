// Package steps holds the Lambda handlers of the import workflow. Each step
// reads what earlier steps left in S3 and DynamoDB, does its part, and hands
// on a small State: keys and counts, never rows, because Step Functions
// payloads are capped at 256 KB.
package steps

import (
	"encoding/json"

	"github.com/crmimport/crm-import/internal/crm"
)

// State travels through the workflow. Each step returns it with its own
// fields filled in.
type State struct {
	ImportID string `json:"importId"`
	Tenant   string `json:"tenant"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	Entity   string `json:"entity"`

	Rows    int `json:"rows,omitempty"`    // data rows in the file
	Invalid int `json:"invalid,omitempty"` // rows with a validation error

	Users   []UserRef    `json:"users,omitempty"`   // set by split: one Map item each
	Results []UserResult `json:"results,omitempty"` // set by the Map: one per user

	// Error is set by the workflow's Catch: the failed step's error.
	Error *StepError `json:"error,omitempty"`
}

// UserRef is one user's share of the import, as the Map iterates over them.
type UserRef struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Rows  int    `json:"rows"`
}

// UserTask is the input of the per-user steps (the Map's ItemSelector).
type UserTask struct {
	ImportID string  `json:"importId"`
	Tenant   string  `json:"tenant"`
	User     UserRef `json:"user"`
}

// UserResult is what applying one user's rows did.
type UserResult struct {
	ImportID string     `json:"importId"`
	Tenant   string     `json:"tenant"`
	User     UserRef    `json:"user"`
	Counts   crm.Counts `json:"counts"`
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
	case e.Error == refusedErrorName || c.ErrorType == refusedErrorName:
		return c.ErrorMessage
	case e.Error == "States.Timeout":
		return "the import took too long and was stopped"
	default:
		return "internal error: the import could not be completed; support has the details"
	}
}

// Work file keys of one import.
func recordsKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "records.jsonl"
}
func reportKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "report.json"
}
func configKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "config.json"
}
func selectionKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "selection.json"
}
func unassignedKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "unassigned.jsonl"
}
func userRowsKey(tenant, id, user string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "users/" + user + ".jsonl"
}
func planKey(tenant, id, user string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "plans/" + user + ".jsonl"
}
func previewKey(tenant, id, user string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "previews/" + user + ".json"
}
func outcomesKey(tenant, id, user string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "outcomes/" + user + ".jsonl"
}
func resultKey(tenant, id, user string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "results/" + user + ".json"
}
func errorFileKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "errors.csv"
}
func summaryKey(tenant, id string) string {
	return crm.Work{Tenant: tenant, ImportID: id}.Prefix() + "summary.json"
}
