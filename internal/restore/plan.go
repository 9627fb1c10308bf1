// Package restore makes a tenant's records, or chosen users', equal to a
// restore point: records changed or deleted since are put back as the
// point holds them, records created since are deleted. It never touches
// another tenant's item, nor a job, user, configuration or before-image:
// it reads the point's record items only (crm.PointReader) and writes only
// the users' records (crm.RestoreStore). It knows the store and the bucket
// only through the crm ports.
//
// It streams. Plan reads the export once, copying each user's items into a
// local file of their own, then takes the users one by one: an index of
// the user's point items (key, digest and place in the file: about 100
// bytes a record, never the items) against the user's current records
// read a page at a time, and writes the user's plan to the bucket. Act
// streams each user's plan back in batches. So neither the export nor the
// tenant's records are ever in memory at once; only one user's index is.
package restore

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"
)

// Op is one line of a user's plan: a record to put back (Item, as the point
// has it: Want) or to delete (Item nil), found as Expect (nil: absent).
type Op struct {
	Entity string          `json:"entity"`
	ID     string          `json:"id"`
	Item   json.RawMessage `json:"item,omitempty"`
	Want   *crm.Record     `json:"want,omitempty"`
	Expect *crm.Record     `json:"expect,omitempty"`
	// EditLost: the record's last change since the point was a person's.
	EditLost bool `json:"editLost,omitempty"`
}

// Plan is what the dry run found, kept as the restore's plan.json.
type Plan struct {
	crm.RestoreCounts
	ImportsSince []string   `json:"importsSince"`
	Users        []UserPlan `json:"users"`
}

// Total is how many records the restore writes.
func (p Plan) Total() int { return p.PutBack + p.Deleted }

// UserPlan is one user's share: the entities whose leases the act takes
// and how many ops the user's plan file holds.
type UserPlan struct {
	User     string   `json:"user"`
	Entities []string `json:"entities"`
	Ops      int      `json:"ops"`
}

// Planner makes the dry run.
type Planner struct {
	Points crm.PointReader
	Store  crm.RestoreStore
	Files  crm.Files
	// TempDir holds the users' point items while planning; "" is the
	// system's (a Lambda's /tmp).
	TempDir string
}

// Plan compares the restore point of r with the records of users (r's
// chosen users, or, for the whole tenant, these and every user the point
// holds records of) and writes the plan of each user with something to
// write, then plan.json. It writes no record.
func (p *Planner) Plan(ctx context.Context, r crm.Restore, users []string) (Plan, error) {
	dir, err := os.MkdirTemp(p.TempDir, "restore-")
	if err != nil {
		return Plan{}, crm.Wrap(err, crm.Internal, "")
	}
	defer os.RemoveAll(dir)
	scope := map[string]bool{}
	for _, u := range users {
		scope[u] = true
	}
	found, err := p.split(ctx, r, dir, scope, len(r.UserIDs) > 0)
	if err != nil {
		return Plan{}, err
	}
	all := slices.Sorted(maps.Keys(scope))
	if len(r.UserIDs) == 0 {
		for u := range found {
			scope[u] = true
		}
		all = slices.Sorted(maps.Keys(scope))
	}
	work := crm.RestoreWork{Tenant: r.Tenant, RestoreID: r.ID}
	plan := Plan{ImportsSince: []string{}, Users: []UserPlan{}}
	since := map[string]bool{}
	for _, u := range all {
		up, err := p.planUser(ctx, r.Tenant, u, filepath.Join(dir, u+".jsonl"), found[u], work, &plan.RestoreCounts, since)
		if err != nil {
			return Plan{}, fmt.Errorf("plan the restore of user %s: %w", u, err)
		}
		if up.Ops > 0 {
			plan.Users = append(plan.Users, up)
		}
	}
	plan.ImportsSince = slices.Sorted(maps.Keys(since))
	data, err := json.Marshal(plan)
	if err != nil {
		return Plan{}, crm.Wrap(err, crm.Internal, "")
	}
	if err := p.Files.Put(ctx, work.Plan(), data, crm.JSON); err != nil {
		return Plan{}, err
	}
	return plan, nil
}

// split streams the point once into a file per user in dir; only the
// users of scope when scoped. It answers the users it found items of.
func (p *Planner) split(ctx context.Context, r crm.Restore, dir string, scope map[string]bool, scoped bool) (map[string]bool, error) {
	type out struct {
		f *os.File
		w *bufio.Writer
	}
	files := map[string]out{}
	closeAll := func() error {
		var errs []error
		for _, o := range files {
			errs = append(errs, o.w.Flush(), o.f.Close())
		}
		return errors.Join(errs...)
	}
	for it, err := range p.Points.Items(ctx, r.Prefix, r.Tenant) {
		if err != nil {
			closeAll()
			return nil, err
		}
		if scoped && !scope[it.User] {
			continue
		}
		o, ok := files[it.User]
		if !ok {
			if strings.ContainsAny(it.User, `/\`) || it.User == "" || it.User == "." || it.User == ".." {
				closeAll()
				return nil, crm.Errorf(crm.Internal, "the restore point holds a record of user %q", it.User)
			}
			f, err := os.Create(filepath.Join(dir, it.User+".jsonl"))
			if err != nil {
				closeAll()
				return nil, crm.Wrap(err, crm.Internal, "")
			}
			o = out{f: f, w: bufio.NewWriterSize(f, 16<<10)}
			files[it.User] = o
		}
		line, err := json.Marshal(it)
		if err != nil {
			closeAll()
			return nil, crm.Wrap(err, crm.Internal, "")
		}
		o.w.Write(line)
		if err := o.w.WriteByte('\n'); err != nil {
			closeAll()
			return nil, crm.Wrap(err, crm.Internal, "")
		}
	}
	found := map[string]bool{}
	for u := range files {
		found[u] = true
	}
	if err := closeAll(); err != nil {
		return nil, crm.Wrap(err, crm.Internal, "")
	}
	return found, nil
}

// pointEntry is what the index keeps of one point item: its digest and
// where its line is in the user's file.
type pointEntry struct {
	digest [sha256.Size]byte
	offset int64
	length int
}

// recordKey names a record within a user's records.
func recordKey(entity, id string) string { return entity + "\x00" + id }

// planUser compares one user's point items (in path, when has) with the
// user's current records, page by page, and writes the user's plan.
func (p *Planner) planUser(ctx context.Context, tenant, user, path string, has bool, work crm.RestoreWork, counts *crm.RestoreCounts, since map[string]bool) (UserPlan, error) {
	index := map[string]pointEntry{}
	var point *os.File
	if has {
		f, err := os.Open(path)
		if err != nil {
			return UserPlan{}, crm.Wrap(err, crm.Internal, "")
		}
		defer f.Close()
		point = f
		if err := indexItems(f, index); err != nil {
			return UserPlan{}, err
		}
	}
	planPath := path + ".plan"
	pf, err := os.Create(planPath)
	if err != nil {
		return UserPlan{}, crm.Wrap(err, crm.Internal, "")
	}
	defer pf.Close()
	w := crm.NewLineWriter[Op](pf)
	entities := map[string]bool{}
	emit := func(op Op) error {
		entities[op.Entity] = true
		return w.Write(op)
	}
	err = p.Store.EachRecord(ctx, tenant, user, func(page []crm.Stored) error {
		for _, now := range page {
			key := recordKey(now.Entity, now.ID)
			e, ok := index[key]
			delete(index, key)
			if ok && !now.Unreadable && e.digest == digest(now.Record) {
				counts.Unchanged++
				continue
			}
			expect := now.Record
			op := Op{Entity: now.Entity, ID: now.ID, Expect: &expect, EditLost: !now.Unreadable && now.ImportID == ""}
			if ok {
				it, err := readItem(point, e)
				if err != nil {
					return err
				}
				op.Item, op.Want = it.Item, &it.Record
				counts.PutBack++
				if now.ImportID != "" && now.ImportID != it.Record.ImportID {
					since[now.ImportID] = true
				}
			} else {
				counts.Deleted++
				if now.ImportID != "" {
					since[now.ImportID] = true
				}
			}
			if op.EditLost {
				counts.EditsLost++
			}
			if err := emit(op); err != nil {
				return crm.Wrap(err, crm.Internal, "")
			}
		}
		return nil
	})
	if err != nil {
		return UserPlan{}, err
	}
	// What is left of the index was deleted since: put back, in order.
	for _, key := range slices.Sorted(maps.Keys(index)) {
		it, err := readItem(point, index[key])
		if err != nil {
			return UserPlan{}, err
		}
		counts.PutBack++
		if err := emit(Op{Entity: it.Record.Entity, ID: it.Record.ID, Item: it.Item, Want: &it.Record}); err != nil {
			return UserPlan{}, crm.Wrap(err, crm.Internal, "")
		}
	}
	if err := w.Flush(); err != nil {
		return UserPlan{}, crm.Wrap(err, crm.Internal, "")
	}
	up := UserPlan{User: user, Entities: slices.Sorted(maps.Keys(entities)), Ops: w.Lines()}
	if up.Ops == 0 {
		return up, nil
	}
	if err := p.Files.PutFile(ctx, work.UserPlan(user), planPath, crm.JSONLines); err != nil {
		return UserPlan{}, err
	}
	return up, nil
}

// indexItems reads a user's point file into index, line by line.
func indexItems(f *os.File, index map[string]pointEntry) error {
	r := bufio.NewReaderSize(f, 64<<10)
	var offset int64
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var it crm.PointItem
			if err := json.Unmarshal(line, &it); err != nil {
				return crm.Wrap(err, crm.Internal, "")
			}
			index[recordKey(it.Record.Entity, it.Record.ID)] = pointEntry{digest: digest(it.Record), offset: offset, length: len(line)}
			offset += int64(len(line))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return crm.Wrap(err, crm.Internal, "")
		}
	}
}

// readItem reads back the point item an index entry names.
func readItem(f *os.File, e pointEntry) (crm.PointItem, error) {
	buf := make([]byte, e.length)
	if _, err := f.ReadAt(buf, e.offset); err != nil {
		return crm.PointItem{}, crm.Wrap(err, crm.Internal, "")
	}
	var it crm.PointItem
	if err := json.Unmarshal(buf, &it); err != nil {
		return crm.PointItem{}, crm.Wrap(err, crm.Internal, "")
	}
	return it, nil
}

// digest sums what makes two records the same: entity, ID, fields (JSON
// sorts a map's keys), version and last import.
func digest(r crm.Record) [sha256.Size]byte {
	if r.Fields == nil {
		r.Fields = map[string]string{}
	}
	data, _ := json.Marshal(r) // a record of strings always encodes
	return sha256.Sum256(data)
}

// same tells whether a record is as the point has it.
func same(now crm.Stored, want crm.Record) bool {
	return !now.Unreadable && digest(now.Record) == digest(want)
}
