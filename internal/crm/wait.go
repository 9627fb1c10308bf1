package crm

import "time"

// WaitFor is what an attended import waits for from the tenant.
type WaitFor string

const (
	// ForSelection: the users to import (some may be excluded).
	ForSelection WaitFor = "selection"
	// ForDecision: import, skip, import-all or back, for the user in turn.
	ForDecision WaitFor = "decision"
	// ForResume: after "back", continue (with new settings) or stop.
	ForResume WaitFor = "resume"
)

// Wait is a wait of the workflow for the tenant: the task token the
// answer completes, recorded on the job by the wait step and taken by the
// API, once, with a conditional write.
type Wait struct {
	For WaitFor `json:"for"`
	// User is the user in turn, for a decision.
	User *UserRef `json:"user,omitempty"`
	// Token is the Step Functions task token. It never leaves the server.
	Token   string    `json:"token"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
}

// WaitEnded is what a decision meets when the wait it answers is gone.
const WaitEnded = "this decision was already made or the wait has ended"

// UserStatus is a user's place in an attended import.
type UserStatus string

const (
	UserPending    UserStatus = "pending"
	UserExcluded   UserStatus = "excluded"
	UserPreviewing UserStatus = "previewing"
	UserImported   UserStatus = "imported"
	UserSkipped    UserStatus = "skipped"
	UserFailed     UserStatus = "failed"
)
