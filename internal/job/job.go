// Package job describes an import job: one uploaded file on its way through
// the pipeline, from the first step to its summary.
package job

import "time"

// Status is where a job stands. A job ends SUCCEEDED or FAILED, never in
// between without saying so.
type Status string

const (
	Received   Status = "RECEIVED"
	Validating Status = "VALIDATING"
	Splitting  Status = "SPLITTING"
	Applying   Status = "APPLYING"
	Succeeded  Status = "SUCCEEDED"
	Failed     Status = "FAILED"
)

// Terminal reports whether no step will change the job any more.
func (s Status) Terminal() bool { return s == Succeeded || s == Failed }

// Counts are the row outcomes of a job, summed over its users.
type Counts struct {
	Rows      int `json:"rows" dynamodbav:"rows"`
	Invalid   int `json:"invalid" dynamodbav:"invalid"`
	Created   int `json:"created" dynamodbav:"created"`
	Updated   int `json:"updated" dynamodbav:"updated"`
	Unchanged int `json:"unchanged" dynamodbav:"unchanged"`
	Deleted   int `json:"deleted" dynamodbav:"deleted"`
	Skipped   int `json:"skipped" dynamodbav:"skipped"`
	Failed    int `json:"failed" dynamodbav:"failed"`
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

// Job is the record of one import, as the API and the CLI show it.
type Job struct {
	Tenant     string    `json:"tenant" dynamodbav:"tenant"`
	ID         string    `json:"id" dynamodbav:"id"`
	Entity     string    `json:"entity" dynamodbav:"entity"`
	Bucket     string    `json:"bucket" dynamodbav:"bucket"`
	Key        string    `json:"key" dynamodbav:"key"`
	Status     Status    `json:"status" dynamodbav:"status"`
	Reason     string    `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	Users      int       `json:"users" dynamodbav:"users"`
	Counts     Counts    `json:"counts" dynamodbav:"counts"`
	Done       int       `json:"done" dynamodbav:"done"`   // rows applied so far
	Total      int       `json:"total" dynamodbav:"total"` // rows to apply
	ErrorFile  string    `json:"errorFile,omitempty" dynamodbav:"error_file,omitempty"`
	Summary    string    `json:"summary,omitempty" dynamodbav:"summary,omitempty"`
	CreatedAt  time.Time `json:"createdAt" dynamodbav:"created_at"`
	UpdatedAt  time.Time `json:"updatedAt" dynamodbav:"updated_at"`
	FinishedAt time.Time `json:"finishedAt,omitzero" dynamodbav:"finished_at,omitempty"`
}
