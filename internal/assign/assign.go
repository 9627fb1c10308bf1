// Package assign gives each row of a file to one of the tenant's users (the
// sales agent named in the row), counts rows per user, and checks the
// import's limits, as portatour's user-selection step does.
package assign

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
)

// Directory finds a tenant's users by the value of the assignment column.
type Directory struct {
	by    crm.AssignBy
	users map[string]crm.User
	// shared counts the users of each key more than one user has (a name
	// two users share): such a key finds no one.
	shared map[string]int
	only   *crm.User // the tenant's single user, for files with no assignment column
}

// NewDirectory indexes users by e-mail (case-insensitive), employee number
// (trimmed) or name (case, accents and spacing ignored).
func NewDirectory(users []crm.User, by crm.AssignBy) *Directory {
	d := &Directory{by: by, users: make(map[string]crm.User, len(users)), shared: map[string]int{}}
	for _, u := range users {
		k := d.norm(d.keyOf(u))
		if k == "" {
			continue
		}
		if _, dup := d.users[k]; dup || d.shared[k] > 0 {
			delete(d.users, k)
			d.shared[k] = max(d.shared[k], 1) + 1
			continue
		}
		d.users[k] = u
	}
	if len(users) == 1 {
		d.only = &users[0]
	}
	return d
}

func (d *Directory) keyOf(u crm.User) string {
	switch d.by {
	case crm.ByEmployeeNumber:
		return u.EmployeeNumber
	case crm.ByName:
		return u.Name
	}
	return u.Email
}

func (d *Directory) norm(v string) string {
	v = strings.TrimSpace(v)
	switch d.by {
	case crm.ByEmployeeNumber:
		return v
	case crm.ByName:
		words := strings.Fields(v)
		for i, w := range words {
			words[i] = schema.Fold(w)
		}
		return strings.Join(words, " ")
	}
	return strings.ToLower(v)
}

// Shared returns how many users the value names when it names more than
// one (a name two users share), else 0.
func (d *Directory) Shared(value string) int {
	return d.shared[d.norm(value)]
}

// Lookup returns the user a value of the assignment column names.
func (d *Directory) Lookup(value string) (crm.User, bool) {
	u, ok := d.users[d.norm(value)]
	return u, ok
}

// Only returns the tenant's user when it has exactly one; a file without an
// assignment column can only be meant for that user.
func (d *Directory) Only() (crm.User, bool) {
	if d.only == nil {
		return crm.User{}, false
	}
	return *d.only, true
}

// Selection is the outcome of assigning a file's rows: what portatour's
// user-selection step lists.
type Selection struct {
	Users     []UserRows  `json:"users"`
	Unmatched []ValueRows `json:"unmatched,omitempty"`
}

// UserRows is a user found in the file with its number of valid rows and
// of rows in error.
type UserRows struct {
	User    crm.User `json:"user"`
	Rows    int      `json:"rows"`
	Invalid int      `json:"invalid,omitempty"`
}

// ValueRows is a value of the assignment column that matched no user.
type ValueRows struct {
	Value string `json:"value"`
	Rows  int    `json:"rows"`
}

// Tally counts rows per user while a file streams by.
type Tally struct {
	users     map[string]*UserRows
	unmatched map[string]int
}

// NewTally returns an empty tally.
func NewTally() *Tally {
	return &Tally{users: map[string]*UserRows{}, unmatched: map[string]int{}}
}

// Matched counts one valid row for u.
func (t *Tally) Matched(u crm.User) { t.user(u).Rows++ }

// Invalid counts one row in error for u.
func (t *Tally) Invalid(u crm.User) { t.user(u).Invalid++ }

func (t *Tally) user(u crm.User) *UserRows {
	r, ok := t.users[u.ID]
	if !ok {
		r = &UserRows{User: u}
		t.users[u.ID] = r
	}
	return r
}

// Unmatched counts one row whose assignment value named no user.
func (t *Tally) Unmatched(value string) { t.unmatched[strings.TrimSpace(value)]++ }

// Selection returns the counts, users by e-mail and unmatched values by count.
func (t *Tally) Selection() Selection {
	var s Selection
	for _, r := range t.users {
		s.Users = append(s.Users, *r)
	}
	slices.SortFunc(s.Users, func(a, b UserRows) int { return cmp.Compare(a.User.Email, b.User.Email) })
	for v, n := range t.unmatched {
		s.Unmatched = append(s.Unmatched, ValueRows{Value: v, Rows: n})
	}
	slices.SortFunc(s.Unmatched, func(a, b ValueRows) int {
		return cmp.Or(cmp.Compare(b.Rows, a.Rows), cmp.Compare(a.Value, b.Value))
	})
	return s
}

// Check refuses a selection that cannot be imported: no row for any user, or
// more users than the limit allows.
func (s Selection) Check(maxUsers int) error {
	valid := 0
	for _, u := range s.Users {
		valid += u.Rows
	}
	if valid == 0 {
		if len(s.Unmatched) == 0 {
			return crm.Errorf(crm.Invalid, "no row can be imported: the file has no valid rows")
		}
		return crm.Errorf(crm.Invalid,
			"no row matches a user of your CRM: the assignment column holds %s, none of which is a user's e-mail or employee number",
			describe(s.Unmatched))
	}
	if len(s.Users) > maxUsers {
		return crm.Errorf(crm.Refused,
			"the file assigns rows to %d users; one import may hold at most %d users: split the file", len(s.Users), maxUsers)
	}
	return nil
}

// CheckRows refuses a file over the row limit.
func CheckRows(rows, maxRows int) error {
	if rows > maxRows {
		return crm.Errorf(crm.Refused,
			"the file has %d rows; one import may hold at most %d rows: split the file", rows, maxRows)
	}
	return nil
}

func describe(values []ValueRows) string {
	const shown = 5
	var parts []string
	for i, v := range values {
		if i == shown {
			parts = append(parts, "and others")
			break
		}
		parts = append(parts, fmt.Sprintf("%q (%d rows)", v.Value, v.Rows))
	}
	return strings.Join(parts, ", ")
}
