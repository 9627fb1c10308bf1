package steps

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/plan"
	"github.com/crmimport/crm-import/internal/schema"
)

// streamPlan plans the user's rows with plan.Stream, which holds neither
// the rows nor the plan: the rows are copied to a local file and read from
// it twice, and the ops go to the plan file as the sort gives them. It
// returns the preview, the rows and the rows with validation errors.
func (p *Preview) streamPlan(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity) (plan.Preview, int, int, error) {
	f, err := p.localRows(ctx, t)
	if err != nil {
		return plan.Preview{}, 0, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	readings, rows, invalid := 0, 0, 0
	each := func(each func(crm.Row) error) error {
		readings++
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("read rows of %s: %w", t.User.ID, err)
		}
		err := crm.ReadLines(f, func(r crm.Row) error {
			if readings == 1 {
				rows++
				if len(r.Errors) > 0 {
					invalid++
				}
			}
			return each(r)
		})
		if err != nil {
			return fmt.Errorf("read rows of %s: %w", t.User.ID, err)
		}
		return nil
	}
	existing, err := p.Records.Query(ctx, t.Tenant, t.User.ID, entity.Name)
	if err != nil {
		return plan.Preview{}, 0, 0, err
	}
	var pv plan.Preview
	// The snapshot for the duplicates is written as the ops go by, so it
	// is uploaded round the plan's upload.
	err = uploadFile(ctx, p.Files, p.TmpDir, t.work().Snapshot(t.User.ID), crm.JSONLines, func(sw io.Writer) error {
		snap := newSnapshot(sw, t.ImportID)
		err := uploadFile(ctx, p.Files, p.TmpDir, t.work().Plan(t.User.ID), crm.JSONLines, func(w io.Writer) error {
			pw := plan.NewWriter(w)
			var err error
			pv, err = plan.Stream(ctx, existing, each, planOptions(cfg, entity, t), p.TmpDir, func(op plan.Op) error {
				if err := snap.op(op); err != nil {
					return err
				}
				return pw.Write(op)
			})
			if err != nil {
				return err
			}
			return pw.Flush()
		})
		if err != nil {
			return err
		}
		return snap.end(existing)
	})
	if err != nil {
		return plan.Preview{}, 0, 0, fmt.Errorf("plan %s for %s: %w", t.ImportID, t.User.ID, err)
	}
	return pv, rows, invalid, nil
}

// localRows copies the rows split wrote for the user into a temporary file.
func (p *Preview) localRows(ctx context.Context, t UserTask) (*os.File, error) {
	body, err := openWork(ctx, p.Files, t.work().UserRows(t.User.ID))
	if err != nil {
		return nil, err
	}
	defer body.Close()
	f, err := os.CreateTemp(p.TmpDir, "rows-*")
	if err != nil {
		return nil, fmt.Errorf("read rows of %s: %w", t.User.ID, err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	if _, err = io.Copy(w, body); err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, crm.Wrap(err, crm.Unavailable, "read rows of %s", t.User.ID)
	}
	return f, nil
}
