package api

import (
	"fmt"
	"strings"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/steps"
)

// The words an answer meets when the import does not wait for it. They
// say what the import waits for, or does, and what the tenant can do, in
// the tenant's words only: the browser page shows them as they are, and
// the CLI adds the command to run.

// waitsFor is a Conflict, in words, unless j waits for f.
func waitsFor(j crm.Job, f crm.WaitFor) error {
	if j.Status == crm.Waiting && j.Wait != nil {
		if j.Wait.For == f {
			return nil
		}
		now := waitWords(j.Wait)
		switch {
		case f == crm.ForDecision && j.Wait.For == crm.ForSelection:
			return crm.Errorf(crm.Conflict, "the import waits for %s, not for a decision: choose the users to import first; the preview of the first one is made then", now)
		case f == crm.ForResume:
			return crm.Errorf(crm.Conflict, "the import waits for %s, not for what to do after back: going on or stopping comes only after the decision to go back", now)
		}
		// A selection after the selection, or a decision after back:
		// that answer was given.
		return crm.Errorf(crm.Conflict, "the import waits for %s, not for %s: %s", now, answerWords(f), crm.WaitEnded)
	}
	switch {
	case j.Status.Terminal():
		return crm.Errorf(crm.Conflict, "the import has ended (%s) and waits for nothing more", j.Status)
	case !j.Attended:
		return crm.Errorf(crm.Conflict, "the import runs without waiting for anyone: it takes no %s", f)
	case beforeWaits(j.Status):
		return crm.Errorf(crm.Conflict, "the import is still %s: it waits for the selection of its users once its file has been read and split; wait a moment and ask again", j.Status)
	}
	return crm.Errorf(crm.Conflict, "the import is %s and waits for no %s now: %s, or the next wait has not begun; wait a moment and ask again", j.Status, f, crm.WaitEnded)
}

// beforeWaits reports whether an attended import in status s has not
// reached its first wait yet.
func beforeWaits(s crm.Status) bool {
	switch s {
	case crm.Uploading, crm.Received, crm.Validating, crm.Splitting:
		return true
	}
	return false
}

// waitWords says what a wait is for: "the selection of its users", "a
// decision on anna@example.com", "what to do after back".
func waitWords(w *crm.Wait) string {
	switch w.For {
	case crm.ForSelection:
		return "the selection of its users"
	case crm.ForDecision:
		if w.User != nil {
			return "a decision on " + userName(w.User.ID, w.User.Email)
		}
		return "a decision"
	case crm.ForResume:
		return "what to do after back"
	}
	return string(w.For)
}

func answerWords(f crm.WaitFor) string {
	switch f {
	case crm.ForSelection:
		return "the selection of its users"
	case crm.ForDecision:
		return "a decision"
	}
	return string(f)
}

// userName is how a message names a user: the e-mail, or for the
// directory of an import of users, what it is.
func userName(id, email string) string {
	switch {
	case email != "":
		return email
	case id == steps.DirectoryUser:
		return "the user directory"
	}
	return id
}

// findUser is the user of sel named by value, an id or an e-mail.
func findUser(sel assign.Selection, value string) (assign.UserRows, bool) {
	value = strings.TrimSpace(value)
	for _, u := range sel.Users {
		if u.User.ID == value || (u.User.Email != "" && strings.EqualFold(u.User.Email, value)) {
			return u, true
		}
	}
	return assign.UserRows{}, false
}

// notInTurn is the Conflict of a decision on named (an id or e-mail)
// while the import waits for a decision on the user in turn, someone
// else: what happened to named, and what to do.
func notInTurn(j crm.Job, sel assign.Selection, named string) error {
	turn := userName(j.Wait.User.ID, j.Wait.User.Email)
	ur, ok := findUser(sel, named)
	u := ur.User
	if !ok {
		return crm.Errorf(crm.Invalid, "%q is not one of the users of this import: the import waits for a decision on %s", named, turn)
	}
	name := userName(u.ID, u.Email)
	var what string
	switch st := statusOf(j, u.ID); st {
	case crm.UserImported, crm.UserSkipped, crm.UserExcluded, crm.UserFailed:
		what = fmt.Sprintf("the decision on %s was already made (%s %s)", name, name, statusWords(st))
	default:
		what = fmt.Sprintf("%s's turn has not come yet", name)
	}
	return crm.Errorf(crm.Conflict, "the user in turn is %s, not %s: %s; nothing was decided now: look at the preview of %s, then decide on it", turn, name, what, turn)
}

func statusWords(st crm.UserStatus) string {
	switch st {
	case crm.UserImported:
		return "was imported"
	case crm.UserSkipped:
		return "was skipped"
	case crm.UserExcluded:
		return "was left out of the import"
	case crm.UserFailed:
		return "could not be imported"
	}
	return "is " + string(st)
}

// noPreviewInTurn is why an import has no preview of a user in turn to
// show: what it waits for or does instead.
func noPreviewInTurn(j crm.Job, sel assign.Selection) error {
	switch {
	case j.Status == crm.Waiting && j.Wait != nil && j.Wait.For == crm.ForSelection:
		return crm.Errorf(crm.Conflict, "the import waits for the selection of its users: the preview of the first one is made once the users to import are chosen")
	case j.Status == crm.Waiting && j.Wait != nil && j.Wait.For == crm.ForResume:
		return crm.Errorf(crm.Conflict, "the import waits for what to do after back: no preview waits for a decision; the remaining users are previewed again if the import goes on")
	case j.Status.Terminal():
		return crm.Errorf(crm.Conflict, "the import has ended (%s): no preview waits for a decision; name a user to see the preview made of their rows", j.Status)
	case !j.Attended:
		return crm.Errorf(crm.Conflict, "the import runs without waiting for decisions: name a user to see the preview made of their rows")
	case beforeWaits(j.Status):
		return crm.Errorf(crm.Conflict, "the import is still %s: its previews are made after the selection of its users", j.Status)
	}
	if j.Status == crm.Applying {
		return crm.Errorf(crm.Conflict, "the import is applying the rows decided on: the preview of the next user is made after that; wait a moment and ask again")
	}
	for _, u := range sel.Users {
		if statusOf(j, u.User.ID) == crm.UserPreviewing {
			return crm.Errorf(crm.Conflict, "the preview of %s is being made: wait a moment and ask again", userName(u.User.ID, u.User.Email))
		}
	}
	return crm.Errorf(crm.Conflict, "the preview of the next user is being made: wait a moment and ask again")
}
