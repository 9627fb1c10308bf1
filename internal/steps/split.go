package steps

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/config"
)

// Split gives each valid row to the user its assignment column names and
// writes one work file per user, which the per-user steps then plan and
// apply. Rows that name no user are kept aside for the error file.
type Split struct {
	Files   crm.Files
	Jobs    crm.Jobs
	Tenants crm.Tenants
	Limits  crm.Limits
	TmpDir  string
	Log     *slog.Logger
}

// Handle is the split step.
func (sp *Split) Handle(ctx context.Context, s State) (State, error) {
	log := s.Logger(sp.Log, "split")
	if err := sp.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Status: crm.Splitting}); err != nil {
		return s, err
	}
	cfg, err := readConfig(ctx, sp.Files, s.work())
	if err != nil {
		return s, err
	}
	job, err := sp.Jobs.Get(ctx, s.Tenant, s.ImportID)
	if err != nil {
		return s, err
	}
	as, maxUsers, err := sp.assigner(ctx, s, cfg, job)
	if err != nil {
		return s, err
	}
	// Files are written for at most this many users: past it the import
	// is refused below, with the count.
	fileUsers := maxUsers
	if attended(job, cfg) {
		fileUsers = min(fileUsers, MaxAttendedUsers)
	}

	tmp, err := os.MkdirTemp(sp.TmpDir, "split-")
	if err != nil {
		return s, fmt.Errorf("split %s: %w", s.ImportID, err)
	}
	defer os.RemoveAll(tmp)
	files := newFileSet(tmp)
	defer files.close()

	body, err := openWork(ctx, sp.Files, s.work().Records())
	if err != nil {
		return s, err
	}
	defer body.Close()
	tally := assign.NewTally()
	records := crm.NewLineReader[crm.Row](body)
	for {
		r, err := records.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return s, fmt.Errorf("split %s: read records: %w", s.ImportID, err)
		}
		u, ok := as.user(r)
		if as.caller != nil {
			if u, ok, err = as.callersRow(r); err != nil {
				return s, err
			}
		}
		if !ok {
			r.Assignee = as.value(r)
			if n := as.shared(r.Assignee); n > 0 {
				r.Errors = append(r.Errors, crm.RowError{Row: r.Number, Column: cfg.AssignmentColumn(), Value: r.Assignee,
					Reason: fmt.Sprintf("names %d users of your CRM, so the row cannot be given to one of them: name the sales agent by e-mail or employee number instead", n)})
			}
			// A row in error is reported for its errors, wherever it
			// belongs; only a valid row counts against the unmatched value.
			if len(r.Errors) == 0 {
				tally.Unmatched(r.Assignee)
			}
			if err := files.write(unassigned, r); err != nil {
				return s, err
			}
			continue
		}
		// Users past the limit are counted but get no file: the limit
		// error below gives the count, and a file naming thousands of
		// users does not open thousands of files first.
		if files.count() > fileUsers && !files.has("user-"+u.ID) {
			tally.Matched(u)
			continue
		}
		// Rows in error go with the others: the plan reports them, and
		// their keys keep update-with-deletion from deleting what they name.
		if len(r.Errors) == 0 {
			tally.Matched(u)
		} else {
			tally.Invalid(u)
		}
		if err := files.write("user-"+u.ID, r); err != nil {
			return s, err
		}
	}

	sel := tally.Selection()
	if err := sel.Check(maxUsers); err != nil {
		return s, err
	}
	if attended(job, cfg) && len(sel.Users) > MaxAttendedUsers {
		return s, crm.Errorf(crm.Refused,
			"the file assigns rows to %d users; an import you review user by user can have at most %d users: use an unattended configuration (\"unattended\": true), or split the file",
			len(sel.Users), MaxAttendedUsers)
	}
	if cfg.Mode == crm.UpdateDelete && files.has(unassigned) {
		// Update with deletion deletes each user's records that the file
		// does not name. A row that reached no user names nothing, so its
		// record would be deleted: refuse before anything is written.
		return s, crm.Errorf(crm.Invalid,
			"some rows name no user of your CRM (%s); update with deletion would delete their records: correct the sales agent of those rows, or import without deletion",
			describeUnassigned(sel))
	}
	if err := files.flush(); err != nil {
		return s, err
	}
	users := make([]crm.UserRef, 0, len(sel.Users))
	total := 0
	for _, ur := range sel.Users {
		if err := sp.Files.PutFile(ctx, s.work().UserRows(ur.User.ID), files.path("user-"+ur.User.ID), crm.JSONLines); err != nil {
			return s, err
		}
		users = append(users, crm.UserRef{ID: ur.User.ID, Email: ur.User.Email, Rows: ur.Rows + ur.Invalid})
		total += ur.Rows + ur.Invalid
	}
	if s.Map, err = putMapItems(ctx, sp.Files, s.work(), users); err != nil {
		return s, err
	}
	if files.has(unassigned) {
		if err := sp.Files.PutFile(ctx, s.work().Unassigned(), files.path(unassigned), crm.JSONLines); err != nil {
			return s, err
		}
	}
	if err := putJSON(ctx, sp.Files, s.work().Selection(), sel); err != nil {
		return s, err
	}
	// An attended import writes nothing until the tenant says so: it
	// shows PREVIEWING, not APPLYING, while it waits for the selection.
	next := crm.Applying
	if attended(job, cfg) {
		next = crm.Previewing
	}
	if err := sp.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Status: next, Users: len(users), Total: total}); err != nil {
		return s, err
	}
	log.Info("rows split by user", "users", len(sel.Users), "unmatchedValues", len(sel.Unmatched), "rows", total)
	return s, nil
}

// assigner picks how the import's rows find their user, and how many users
// one import may have: the tenant's users and limit, or, for an import of
// the users entity, the directory alone.
func (sp *Split) assigner(ctx context.Context, s State, cfg *config.Config, job crm.Job) (*assigner, int, error) {
	if isDirectory(cfg.Entity) {
		if err := checkDirectoryRole(job.Role); err != nil {
			return nil, 0, err
		}
		if err := checkDirectoryMode(cfg); err != nil {
			return nil, 0, err
		}
		// Its rows are the users themselves: none names a sales agent,
		// and a tenant without users yet may import its first ones.
		return &assigner{only: &crm.User{ID: directory.ID, Email: directory.Email}}, 1, nil
	}
	users, err := sp.Tenants.Users(ctx, s.Tenant)
	if err != nil {
		return nil, 0, err
	}
	profile, err := sp.Tenants.Profile(ctx, s.Tenant)
	if err != nil {
		return nil, 0, err
	}
	var report check.Report
	if err := readJSON(ctx, sp.Files, s.work().Report(), &report); err != nil {
		if crm.KindOf(err) == crm.NotFound {
			err = crm.Wrap(err, crm.Internal, "work file %s is missing", s.work().Report())
		}
		return nil, 0, err
	}
	maxUsers := profile.Limits(sp.Limits).MaxUsers
	if job.Role == plainUser {
		as, err := callersAssigner(cfg, &report, users, job.By)
		return as, 1, err
	}
	as, err := newAssigner(cfg, &report, users)
	if err != nil {
		return nil, 0, err
	}
	return as, maxUsers, nil
}

// plainUser is the role (api.User) of a caller in neither the
// administrator nor the supervisor group. Only those two run an import
// over many users; a drop by a sync has no role and is not bound by this.
const plainUser = "user"

// callersAssigner is the assigner of a plain user's import: every row is
// the caller's (found by the e-mail of their sign-in in the tenant's
// directory); a file with an agent column may name no one else.
func callersAssigner(cfg *config.Config, report *check.Report, users []crm.User, email string) (*assigner, error) {
	caller, ok := assign.NewDirectory(users, crm.ByEmail).Lookup(email)
	if !ok {
		return nil, crm.Errorf(crm.Refused,
			"your sign-in (%s) is not a user of your CRM, so the rows have no one to belong to: ask an administrator to add you to the users, or to import the file", email)
	}
	as, err := newAssigner(cfg, report, users)
	if err != nil || as.only != nil {
		// No agent column: the rows are the caller's.
		return &assigner{only: &caller}, nil
	}
	as.caller = &caller
	return as, nil
}

// callersRow gives a plain user's import the row when its agent cell is
// empty or names the caller, and refuses the import when it names anyone
// else: such a user imports only their own records.
func (a *assigner) callersRow(r crm.Row) (crm.User, bool, error) {
	v := a.value(r)
	if v == "" {
		return *a.caller, true, nil
	}
	if u, ok := a.dir.Lookup(v); ok && u.ID == a.caller.ID {
		return u, true, nil
	}
	return crm.User{}, false, crm.Errorf(crm.Refused,
		"row %d names %q as its sales agent, but you may import only your own records (as %s): only administrators and supervisors import for other users; remove the agent column, or ask one of them to import the file",
		r.Number, v, a.caller.Email)
}

// unassigned is the local file of the rows that reached no user.
const unassigned = "unassigned"

// assigner finds the user each row belongs to.
type assigner struct {
	dir   *assign.Directory
	field string    // when no column is configured: the mapped agent field read instead
	only  *crm.User // when the file names no agent at all: the tenant's one user
	// caller, for a plain user's import with an agent column: the one user
	// its rows may name (callersRow).
	caller *crm.User
}

// newAssigner picks how rows are assigned: the configured assignment column;
// else a column the automatic mapping took for the agent's e-mail or
// employee number; else, for a tenant with one user, that user.
func newAssigner(cfg *config.Config, report *check.Report, users []crm.User) (*assigner, error) {
	if len(users) == 0 {
		return nil, crm.Errorf(crm.Invalid, "your CRM has no users yet: add the sales agents before importing their records")
	}
	if cfg.AssignmentColumn() != "" {
		return &assigner{dir: assign.NewDirectory(users, cfg.Assignment.By)}, nil
	}
	for _, c := range report.Mapping {
		switch c.Field {
		case agentEmailField:
			return &assigner{dir: assign.NewDirectory(users, crm.ByEmail), field: c.Field}, nil
		case agentNumberField:
			return &assigner{dir: assign.NewDirectory(users, crm.ByEmployeeNumber), field: c.Field}, nil
		}
	}
	if u, ok := assign.NewDirectory(users, crm.ByEmail).Only(); ok {
		return &assigner{only: &u}, nil
	}
	return nil, crm.Errorf(crm.Invalid,
		"your CRM has %d users, so the file needs a column naming each row's sales agent (by e-mail or employee number); choose it in the import configuration", len(users))
}

// The fields the automatic mapping gives columns such as "Agent email".
const (
	agentEmailField  = "agent_email"
	agentNumberField = "agent_number"
)

func (a *assigner) value(r crm.Row) string {
	if a.field != "" {
		return r.Fields[a.field]
	}
	return r.Assignee
}

// shared says how many users a value names when it names several (a
// name two users share), else 0.
func (a *assigner) shared(value string) int {
	if a.dir == nil || value == "" {
		return 0
	}
	return a.dir.Shared(value)
}

func (a *assigner) user(r crm.Row) (crm.User, bool) {
	if a.only != nil {
		return *a.only, true
	}
	return a.dir.Lookup(a.value(r))
}

func describeUnassigned(sel assign.Selection) string {
	var parts []string
	for i, v := range sel.Unmatched {
		if i == 3 {
			parts = append(parts, "...")
			break
		}
		name := fmt.Sprintf("%q", v.Value)
		if v.Value == "" {
			name = "no agent"
		}
		parts = append(parts, fmt.Sprintf("%s: %d rows", name, v.Rows))
	}
	if len(parts) == 0 {
		return "rows with errors"
	}
	return strings.Join(parts, ", ")
}
