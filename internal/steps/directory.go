package steps

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/apply"
	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/outcome"
	"github.com/crmimport/crm-import/internal/plan"
	"github.com/crmimport/crm-import/internal/schema"
)

// An import of the users entity writes the tenant's user directory, not a
// sales agent's records: its rows are the users themselves, so no column
// assigns them. It takes the same steps as any import: split gives every
// row to one pseudo-user, the directory; preview plans them against
// crm.Tenants.Users with the same planner; apply writes the created and
// updated users through crm.Tenants.PutUsers and logs every row's outcome
// as any apply does, so finalize, the row log and the error file need
// nothing of their own.

// DirectoryUser is the id of the pseudo-user whose work files hold the
// rows of an import of the users entity.
const DirectoryUser = "directory"

// directory is that pseudo-user. It has no e-mail: an e-mail field holds
// an address, and the views name it "the user directory" from its id.
var directory = crm.UserRef{ID: DirectoryUser}

// isDirectory reports whether entity is written to the user directory.
func isDirectory(entity string) bool { return entity == schema.Users.Name }

// The users entity's fields the directory keeps apart from the others.
const (
	userEmail     = "email"
	userNumber    = "employee_number"
	userFirstName = "first_name"
	userLastName  = "last_name"
)

// directoryRole is the role (api.Administrator) that may import the users
// entity through the API: who the users are decides who gets which
// records, which is an administrator's to say. A drop by a sync has no
// role and imports as before.
const directoryRole = "administrator"

// DirectoryRefusal is what a caller of another role is told.
const DirectoryRefusal = "only an administrator can import your CRM's users, because they decide who gets which records: ask an administrator of your company to import this file"

// checkDirectoryRole refuses an import of the users entity by a caller who
// is not an administrator. The API refuses it before the upload; this is
// the same rule where the rows are assigned, for any other way in.
func checkDirectoryRole(role string) error {
	if role != "" && role != directoryRole {
		return crm.Errorf(crm.Refused, "%s", DirectoryRefusal)
	}
	return nil
}

// checkDirectoryMode refuses a mode that would delete users.
func checkDirectoryMode(cfg *config.Config) error {
	if cfg.Mode == crm.UpdateDelete {
		return crm.Errorf(crm.Invalid,
			"update with deletion cannot be used to import users: deleting your CRM's users is done in the CRM, not by an import; import the users with add, update or update only")
	}
	return nil
}

// directoryKey is the key of an import of users: the e-mail address (text
// keys compare case-insensitively), or the employee number when the
// configuration names it.
func directoryKey(cfg *config.Config) []string {
	for _, k := range cfg.KeyFields {
		if k == userNumber {
			return []string{userNumber}
		}
	}
	return []string{userEmail}
}

// UserID is the ID of the user a row of e-mail address email creates: from
// the tenant and the address alone (case folded), so a re-planned preview,
// a retried apply and a second import of the same file agree on it.
func UserID(tenant, email string) string {
	h := sha256.Sum256([]byte(tenant + "\x00" + strings.ToLower(strings.TrimSpace(email))))
	return "u-" + hex.EncodeToString(h[:10])
}

// userRecords are the tenant's users as the planner's existing records.
func userRecords(users []crm.User) []crm.Record {
	out := make([]crm.Record, 0, len(users))
	for _, u := range users {
		fields := maps.Clone(u.Fields)
		if fields == nil {
			fields = map[string]string{}
		}
		fields[userEmail] = u.Email
		if u.EmployeeNumber != "" {
			fields[userNumber] = u.EmployeeNumber
		}
		out = append(out, crm.Record{Entity: schema.Users.Name, ID: u.ID, Fields: fields})
	}
	return out
}

// userOf is the user an op creates or updates.
func userOf(op plan.Op) crm.User {
	name := strings.TrimSpace(op.Fields[userFirstName] + " " + op.Fields[userLastName])
	return crm.User{ID: op.ID, Email: op.Fields[userEmail], EmployeeNumber: op.Fields[userNumber], Name: name, Fields: op.Fields}
}

// previewDirectory plans the rows of an import of users against the
// tenant's users.
func (p *Preview) previewDirectory(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity, rows []crm.Row) (*plan.Plan, error) {
	users, err := p.Tenants.Users(ctx, t.Tenant)
	if err != nil {
		return nil, err
	}
	o := planOptions(cfg, entity, t)
	o.KeyFields = directoryKey(cfg)
	o.NewID = func(r crm.Row) string { return UserID(t.Tenant, r.Fields[userEmail]) }
	pl, err := plan.Build(userRecords(users), rows, o)
	if err != nil {
		return nil, fmt.Errorf("plan %s for the user directory: %w", t.ImportID, err)
	}
	return pl, nil
}

// applyDirectory writes the users a plan creates and updates, then logs
// every row's outcome. Putting a user twice writes the same item, so a
// retried apply is harmless.
func (a *Apply) applyDirectory(ctx context.Context, log *slog.Logger, p UserPlan, w io.Writer) (apply.Result, error) {
	var r apply.Result
	body, err := openWork(ctx, a.Files, p.work().Plan(p.User.ID))
	if err != nil {
		return r, err
	}
	defer body.Close()
	var ops []plan.Op
	var users []crm.User
	err = crm.ReadLines(bufio.NewReader(body), func(op plan.Op) error {
		if op.Kind == plan.OpDelete {
			return crm.Errorf(crm.Internal, "the plan of %s deletes a user", p.ImportID)
		}
		if op.Writes() {
			users = append(users, userOf(op))
		}
		ops = append(ops, op)
		return nil
	})
	if err != nil {
		return r, crm.Wrap(err, crm.Internal, "read the plan of %s", p.ImportID)
	}
	if err := a.Tenants.PutUsers(ctx, p.Tenant, users); err != nil {
		return r, err
	}
	rowLog := outcome.NewLog(w)
	for _, op := range ops {
		row := outcome.FromOp(p.User.ID, p.Entity, op)
		switch row.Status {
		case outcome.Created:
			r.Created++
		case outcome.Updated:
			r.Updated++
		case outcome.Unchanged:
			r.Unchanged++
		case outcome.Skipped:
			r.Skipped++
		case outcome.Error:
			r.Errors++
		}
		if err := rowLog.Write(row); err != nil {
			return r, fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
		}
	}
	if err := rowLog.Flush(); err != nil {
		return r, fmt.Errorf("write outcomes of %s: %w", p.User.ID, err)
	}
	// Progress is for people watching; a lost update must not fail the
	// writes it describes.
	if err := a.Jobs.SetProgress(ctx, p.Tenant, p.ImportID, p.User.ID, len(ops)); err != nil {
		log.Warn("progress not recorded", "error", err)
	}
	return r, nil
}
