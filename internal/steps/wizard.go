package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

// Next runs after split and after each step of an attended import, and
// says what comes next: the workflow's Choice routes on Wizard.Next. An
// unattended import (a file a sync dropped, or a configuration that says
// "unattended") goes straight to the Map over every user. An attended one
// waits for the tenant's selection, then previews the users one at a time,
// each followed by a wait for the decision.
type Next struct {
	Files   crm.Files
	Jobs    crm.Jobs
	Tenants crm.Tenants
	// Leases and Limits: after an answer, the import takes its slot among
	// the tenant's running imports again (the wait gave it up).
	Leases crm.Leases
	Limits crm.Limits
	// WaitSeconds is how long each wait lasts (the stack's parameter); a
	// tenant's profile overrides it.
	WaitSeconds int
	Log         *slog.Logger
}

// What the workflow runs next (Wizard.Next), each a branch of its Choice.
const (
	NextWait     = "wait"     // the wait step, until the tenant answers
	NextPreview  = "preview"  // preview the user in turn
	NextApply    = "apply"    // apply the user in turn
	NextAll      = "all"      // the Map over the items State.Map names, in parallel
	NextFinalize = "finalize" // close the job
)

// MaxAttendedUsers bounds the users of an attended import; split refuses
// more, in words. Each user the wizard walks through costs about 35-40
// events of the execution's history (preview, wait, apply, the loop's
// steps, more with retries of a busy lease or slot), and Step Functions
// ends an execution at 25,000: 300 users stay under half of it, leaving
// room for retries, and the state, which carries the users twice (All,
// Left), stays far below its 256 KB. Keeping the lists in a
// work file instead would lift the state's limit but not the history's,
// and no tenant reviews hundreds of previews one by one: a file of more
// users is for an unattended configuration, which has no such bound.
const MaxAttendedUsers = 300

// attended reports whether the import waits for the tenant: only an
// import a person started through the API does, unless its configuration
// says unattended.
func attended(j crm.Job, cfg *config.Config) bool {
	return j.By != "" && !cfg.Unattended
}

// DefaultWaitSeconds is how long a wait lasts when nothing says otherwise:
// 7 days.
const DefaultWaitSeconds = 7 * 24 * 3600

// Wizard is the loop's part of the State.
type Wizard struct {
	// Next is what the workflow runs now; when the wizard step runs again,
	// it is what has just run.
	Next string `json:"next"`
	// For is what the wait waits for, when Next is NextWait.
	For         crm.WaitFor `json:"for,omitempty"`
	WaitSeconds int         `json:"waitSeconds,omitempty"`
	// Left are the users not decided yet, the one in turn first; All every
	// user split found.
	Left []crm.UserRef `json:"left,omitempty"`
	All  []crm.UserRef `json:"all,omitempty"`
	// Task is the input of the preview of the user in turn; Plan its
	// output, the input of the apply.
	Task *UserTask `json:"task,omitempty"`
	Plan *UserPlan `json:"plan,omitempty"`
	// Done is the output of the task that just ran (preview or apply),
	// Answer the tenant's answer to the wait that just ended.
	Done   *taskOutput     `json:"done,omitempty"`
	Answer json.RawMessage `json:"answer,omitempty"`
	// Results are the users the wizard applied one by one.
	Results []crm.UserResult `json:"results,omitempty"`
	// Ended is STOPPED when the tenant stopped the import.
	Ended crm.Status `json:"ended,omitempty"`
}

// taskOutput is a Lambda task's result as the workflow's ResultSelector
// keeps it.
type taskOutput struct {
	Payload json.RawMessage `json:"Payload"`
}

// The tenant's answers, as the API sends them with SendTaskSuccess.
type (
	// SelectionAnswer names the users excluded, by id.
	SelectionAnswer struct {
		Exclude []string `json:"exclude"`
	}
	// DecisionAnswer is import, skip, import-all or back.
	DecisionAnswer struct {
		Decision string `json:"decision"`
	}
	// ResumeAnswer is continue, with the configuration now in force
	// (ResumeConfig made it), or stop.
	ResumeAnswer struct {
		Action string          `json:"action"`
		Config json.RawMessage `json:"config,omitempty"`
	}
)

// The decisions and resume actions.
const (
	DecideImport    = "import"
	DecideSkip      = "skip"
	DecideImportAll = "import-all"
	DecideBack      = "back"
	ResumeContinue  = "continue"
	ResumeStop      = "stop"
)

// Handle is the next step (the wizard's loop).
func (w *Next) Handle(ctx context.Context, s State) (State, error) {
	log := s.Logger(w.Log, "wizard")
	if s.Wizard == nil {
		return w.start(ctx, log, s)
	}
	wz := s.Wizard
	switch wz.Next {
	case NextWait:
		answer := wz.Answer
		wz.Answer = nil
		var err error
		if s, err = w.answered(ctx, log, s, answer); err != nil {
			return s, err
		}
		return s, w.retakeSlot(ctx, log, s)
	case NextPreview:
		var p UserPlan
		if err := wz.done(&p); err != nil {
			return s, err
		}
		wz.Plan, wz.Task = &p, nil
		wz.Next, wz.For = NextWait, crm.ForDecision
		return s, nil
	case NextApply:
		var r crm.UserResult
		if err := wz.done(&r); err != nil {
			return s, err
		}
		wz.Results = append(wz.Results, r)
		if err := w.Jobs.SetUserStatus(ctx, s.Tenant, s.ImportID, r.User.ID, crm.UserImported); err != nil {
			return s, err
		}
		wz.Left, wz.Plan = wz.Left[1:], nil
		return w.advance(ctx, s)
	}
	return s, crm.Errorf(crm.Internal, "the wizard step ran after %q, which it never chose", wz.Next)
}

// start decides whether the import is attended.
func (w *Next) start(ctx context.Context, log *slog.Logger, s State) (State, error) {
	job, err := w.Jobs.Get(ctx, s.Tenant, s.ImportID)
	if err != nil {
		return s, err
	}
	cfg, err := readConfig(ctx, w.Files, s.work())
	if err != nil {
		return s, err
	}
	if !attended(job, cfg) {
		s.Wizard = &Wizard{Next: NextAll}
		return s, nil
	}
	profile, err := w.Tenants.Profile(ctx, s.Tenant)
	if err != nil {
		return s, err
	}
	if err := w.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Attended: true}); err != nil {
		return s, err
	}
	// An attended import's users are few (split refuses more than
	// MaxAttendedUsers), so the wizard keeps them in the state; the Map
	// runs only if the tenant chooses import-all, over the users left
	// then (a manifest of its own).
	users, err := readMapItems(ctx, w.Files, s.Map)
	if err != nil {
		return s, err
	}
	wz := &Wizard{Next: NextWait, For: crm.ForSelection, WaitSeconds: w.waitSeconds(profile),
		Left: slices.Clone(users), All: slices.Clone(users)}
	if wz.All == nil {
		wz.All = []crm.UserRef{}
	}
	s.Wizard = wz
	log.Info("attended import waits for the selection", "users", len(users), "waitSeconds", wz.WaitSeconds)
	if len(users) == 0 {
		// Nothing to select: every row was refused or reached nobody.
		return w.advance(ctx, s)
	}
	return s, nil
}

func (w *Next) waitSeconds(p crm.Profile) int {
	switch {
	case p.WaitSeconds > 0:
		return p.WaitSeconds
	case w.WaitSeconds > 0:
		return w.WaitSeconds
	}
	return DefaultWaitSeconds
}

// answered goes on after the tenant answered the wait for wz.For.
func (w *Next) answered(ctx context.Context, log *slog.Logger, s State, answer json.RawMessage) (State, error) {
	wz := s.Wizard
	switch wz.For {
	case crm.ForSelection:
		var a SelectionAnswer
		if err := decodeAnswer(answer, &a); err != nil {
			return s, err
		}
		var left []crm.UserRef
		for _, u := range wz.Left {
			if slices.Contains(a.Exclude, u.ID) {
				if err := w.drop(ctx, s, u, crm.UserExcluded); err != nil {
					return s, err
				}
				continue
			}
			left = append(left, u)
		}
		log.Info("selection made", "users", len(left), "excluded", len(wz.Left)-len(left))
		wz.Left = left
		return w.advance(ctx, s)
	case crm.ForDecision:
		var a DecisionAnswer
		if err := decodeAnswer(answer, &a); err != nil {
			return s, err
		}
		log.Info("decision made", "decision", a.Decision, "user", wz.Left[0].ID)
		switch a.Decision {
		case DecideImport:
			wz.Next = NextApply
			return s, nil
		case DecideSkip:
			if err := w.drop(ctx, s, wz.Left[0], crm.UserSkipped); err != nil {
				return s, err
			}
			wz.Left, wz.Plan = wz.Left[1:], nil
			return w.advance(ctx, s)
		case DecideImportAll:
			// The user in turn is previewed again in the Map, with the
			// others: its lease was given up during the wait. A retry
			// writes the same manifest again.
			m, err := putMapItems(ctx, w.Files, s.work(), wz.Left)
			if err != nil {
				return s, err
			}
			s.Map, wz.Left, wz.Plan = m, nil, nil
			wz.Next = NextAll
			return s, nil
		case DecideBack:
			wz.Plan = nil
			wz.Next, wz.For = NextWait, crm.ForResume
			return s, nil
		}
		return s, crm.Errorf(crm.Internal, "the decision %q is not one the wizard knows", a.Decision)
	case crm.ForResume:
		var a ResumeAnswer
		if err := decodeAnswer(answer, &a); err != nil {
			return s, err
		}
		log.Info("resumed", "action", a.Action, "newConfig", len(a.Config) > 0)
		switch a.Action {
		case ResumeStop:
			// The users left keep their place (pending, or previewing
			// for the one in turn), but none of their rows is applied.
			for _, u := range wz.Left {
				if err := w.Jobs.SetDropped(ctx, s.Tenant, s.ImportID, u.ID, u.Rows); err != nil {
					return s, err
				}
			}
			wz.Ended, wz.Next = crm.Stopped, NextFinalize
			return s, nil
		case ResumeContinue:
			if len(a.Config) > 0 {
				if err := w.replaceConfig(ctx, s, a.Config); err != nil {
					return s, err
				}
			}
			// The user in turn is previewed again, under the new settings.
			return w.advance(ctx, s)
		}
		return s, crm.Errorf(crm.Internal, "the resume action %q is not one the wizard knows", a.Action)
	}
	return s, crm.Errorf(crm.Internal, "the wizard waited for %q, which it never asks", wz.For)
}

// drop records a user none of whose rows the import applies: its status,
// and its rows out of the job's total, so the progress ends at its total.
func (w *Next) drop(ctx context.Context, s State, u crm.UserRef, st crm.UserStatus) error {
	if err := w.Jobs.SetUserStatus(ctx, s.Tenant, s.ImportID, u.ID, st); err != nil {
		return err
	}
	return w.Jobs.SetDropped(ctx, s.Tenant, s.ImportID, u.ID, u.Rows)
}

// retakeSlot takes the import's slot among the tenant's running imports
// again, after an answer that makes it work (a preview, an apply, the Map
// of import-all): the wait gave it up, so that imports waiting for the
// tenant for days do not keep the tenant's other imports, nightly syncs
// included, from running. When every slot is taken the Busy error makes
// the workflow retry this step (and the job names the import it waits
// for); an answer that ends the import needs no slot. A retry runs the
// answer again: every write before this one sets, never adds.
func (w *Next) retakeSlot(ctx context.Context, log *slog.Logger, s State) error {
	switch s.Wizard.Next {
	case NextPreview, NextApply, NextAll:
	default:
		return nil
	}
	profile, err := w.Tenants.Profile(ctx, s.Tenant)
	if err != nil {
		return err
	}
	return takeSlot(ctx, log, w.Leases, w.Jobs, s.Tenant, s.ImportID, profile.Limits(w.Limits).MaxRunningImports)
}

// advance previews the next user left, or closes the job when none is.
func (w *Next) advance(ctx context.Context, s State) (State, error) {
	wz := s.Wizard
	if len(wz.Left) == 0 {
		wz.Next, wz.Task = NextFinalize, nil
		// No Map runs: no results of its own.
		s.Map = nil
		return s, nil
	}
	u := wz.Left[0]
	if err := w.Jobs.SetUserStatus(ctx, s.Tenant, s.ImportID, u.ID, crm.UserPreviewing); err != nil {
		return s, err
	}
	wz.Task = &UserTask{ImportID: s.ImportID, Tenant: s.Tenant, User: u}
	wz.Next = NextPreview
	return s, nil
}

// replaceConfig makes raw the import's configuration for the users left.
// The API checked it (ResumeConfig); it is checked again, as any work
// file is.
func (w *Next) replaceConfig(ctx context.Context, s State, raw []byte) error {
	cfg, err := readConfig(ctx, w.Files, s.work())
	if err != nil {
		return err
	}
	next, err := ResumeConfig(cfg, raw)
	if err != nil {
		return err
	}
	return putJSON(ctx, w.Files, s.work().Config(), next)
}

func (wz *Wizard) done(v any) error {
	if wz.Done == nil {
		return crm.Errorf(crm.Internal, "the wizard step ran after %s without its output", wz.Next)
	}
	err := json.Unmarshal(wz.Done.Payload, v)
	wz.Done = nil
	if err != nil {
		return crm.Wrap(err, crm.Internal, "read the output of %s", wz.Next)
	}
	return nil
}

func decodeAnswer(raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return crm.Wrap(err, crm.Internal, "read the tenant's answer %s", fmt.Sprintf("%.200s", raw))
	}
	return nil
}
