package steps

import (
	"context"

	"github.com/crmimport/crm-import/internal/crm"
)

// putMapItems writes the Map's items, one per user, to the manifest the
// Distributed Map's ItemReader reads (a JSON array), and returns what the
// state carries instead of the list: its key and the count. A file of
// 10,000 users is a manifest of about 1 MB, which no state could hold.
func putMapItems(ctx context.Context, files crm.Files, w crm.Work, users []crm.UserRef) (*MapItems, error) {
	if users == nil {
		// The Map reads an empty array, never null.
		users = []crm.UserRef{}
	}
	if err := putJSON(ctx, files, w.Items(), users); err != nil {
		return nil, err
	}
	return &MapItems{Key: w.Items(), Users: len(users)}, nil
}

// readMapItems reads back the users of the manifest m names; none when
// no Map was to run.
func readMapItems(ctx context.Context, files crm.Files, m *MapItems) ([]crm.UserRef, error) {
	if m == nil {
		return nil, nil
	}
	var users []crm.UserRef
	if err := readJSON(ctx, files, m.Key, &users); err != nil {
		if crm.KindOf(err) == crm.NotFound {
			err = crm.Wrap(err, crm.Internal, "work file %s is missing", m.Key)
		}
		return nil, err
	}
	return users, nil
}

// users are every user split found: the wizard keeps them (an attended
// import's users are few, MaxAttendedUsers); an unattended import's are
// the Map's items.
func (s State) users(ctx context.Context, files crm.Files) ([]crm.UserRef, error) {
	if s.Wizard != nil && s.Wizard.All != nil {
		return s.Wizard.All, nil
	}
	return readMapItems(ctx, files, s.Map)
}

// mapResults reads what the Map's users' apply steps left in S3, in the
// manifest's order. After a Map that succeeded every user has one; after
// a failure (partial) only the users whose apply finished.
func mapResults(ctx context.Context, files crm.Files, w crm.Work, users []crm.UserRef, partial bool) ([]crm.UserResult, error) {
	var results []crm.UserResult
	for _, u := range users {
		var r crm.UserResult
		err := readJSON(ctx, files, w.Result(u.ID), &r)
		if crm.KindOf(err) == crm.NotFound {
			if partial {
				continue
			}
			err = crm.Wrap(err, crm.Internal, "the Map ended but user %s has no result (work file %s)", u.ID, w.Result(u.ID))
		}
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	return results, nil
}
