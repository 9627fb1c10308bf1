package steps

import (
	"context"
	"io"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/duplicates"
	"github.com/crmimport/crm-import/internal/plan"
)

// snapshot writes a user's records as the plan leaves them (crm.Work's
// Snapshot): what each create or update writes, and the existing records
// no op writes, each cut to the fields the look for duplicates compares.
// Preview holds the user's records already; without it, finalize read
// every one of them back for the duplicates (100 Queries of 1,000 items at
// 100,000 rows, a sixth of the import's time on the local cloud, and the
// tenant's every record on AWS).
type snapshot struct {
	importID string
	lines    *crm.LineWriter[crm.Record]
	// written are the existing records an op changes or deletes.
	written map[string]bool
}

func newSnapshot(w io.Writer, importID string) *snapshot {
	return &snapshot{importID: importID, lines: crm.NewLineWriter[crm.Record](w), written: map[string]bool{}}
}

// op takes one op of the plan, in any order.
func (s *snapshot) op(op plan.Op) error {
	switch op.Kind {
	case plan.OpUpdate, plan.OpDelete:
		s.written[op.ID] = true
	}
	if op.Kind != plan.OpCreate && op.Kind != plan.OpUpdate {
		return nil
	}
	return s.lines.Write(crm.Record{ID: op.ID, ImportID: s.importID, Fields: duplicates.Compared(op.Fields)})
}

// end writes the existing records no op wrote, once the plan's ops are all
// taken.
func (s *snapshot) end(existing []crm.Record) error {
	for _, r := range existing {
		if s.written[r.ID] {
			continue
		}
		if err := s.lines.Write(crm.Record{ID: r.ID, ImportID: r.ImportID, Fields: duplicates.Compared(r.Fields)}); err != nil {
			return err
		}
	}
	return s.lines.Flush()
}

// writeSnapshot writes the snapshot of a plan held in memory.
func (p *Preview) writeSnapshot(ctx context.Context, t UserTask, existing []crm.Record, ops []plan.Op) error {
	return uploadFile(ctx, p.Files, p.TmpDir, t.work().Snapshot(t.User.ID), crm.JSONLines, func(w io.Writer) error {
		s := newSnapshot(w, t.ImportID)
		for _, op := range ops {
			if err := s.op(op); err != nil {
				return err
			}
		}
		return s.end(existing)
	})
}

// readSnapshot gives the finder the records of a user's snapshot.
func readSnapshot(ctx context.Context, files crm.Files, w crm.Work, user string, finder *duplicates.Finder) error {
	body, err := files.Open(ctx, w.Snapshot(user))
	if err != nil {
		return err
	}
	defer body.Close()
	return crm.ReadLines(body, func(r crm.Record) error {
		finder.Add(user, r)
		return nil
	})
}
