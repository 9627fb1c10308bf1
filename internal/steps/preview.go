package steps

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/plan"
	"github.com/crmimport/crm-import/internal/schema"
)

// RecordStore reads a user's existing records and applies plans to them.
type RecordStore interface {
	Query(ctx context.Context, tenant, user, entity string) ([]crm.Record, error)
}

// Preview plans one user's rows against that user's existing records: the
// plan is the preview. It writes the plan for the apply step and the
// summary (counts and a sample of changes, field by field) for the tenant.
type Preview struct {
	Files   Files
	Records RecordStore
	Jobs    interface {
		SetDeletes(ctx context.Context, tenant, id, user string, n int) error
	}
	TmpDir string
	Log    *slog.Logger
}

// UserPlan is the preview step's output and the apply step's input.
type UserPlan struct {
	UserTask
	Entity  string       `json:"entity"`
	Rows    int          `json:"rows"`
	Invalid int          `json:"invalid"` // rows with validation errors, counted by validate already
	Preview plan.Summary `json:"preview"` // without its sample, which stays in S3
}

// Handle is the preview step.
func (p *Preview) Handle(ctx context.Context, t UserTask) (UserPlan, error) {
	log := p.Log.With("tenant", t.Tenant, "importId", t.ImportID, "step", "preview", "user", t.User.ID)
	out, err := p.run(ctx, log, t)
	return out, forLambda(log, err)
}

func (p *Preview) run(ctx context.Context, log *slog.Logger, t UserTask) (UserPlan, error) {
	out := UserPlan{UserTask: t}
	var cfg config.Config
	if err := readJSON(ctx, p.Files, configKey(t.Tenant, t.ImportID), &cfg); err != nil {
		return out, err
	}
	entity, err := schema.Lookup(cfg.Entity)
	if err != nil {
		return out, fmt.Errorf("preview %s: %w", t.ImportID, err)
	}
	out.Entity = entity.Name
	rows, invalid, err := p.rows(ctx, t)
	if err != nil {
		return out, err
	}
	out.Rows, out.Invalid = len(rows), invalid
	existing, err := p.Records.Query(ctx, t.Tenant, t.User.ID, entity.Name)
	if err != nil {
		return out, err
	}
	pl, err := plan.Build(existing, rows, planOptions(&cfg, entity, t))
	if err != nil {
		return out, fmt.Errorf("plan %s for %s: %w", t.ImportID, t.User.ID, err)
	}

	dir, err := os.MkdirTemp(p.TmpDir, "preview-")
	if err != nil {
		return out, fmt.Errorf("preview %s: %w", t.ImportID, err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "plan.jsonl")
	f, err := os.Create(path)
	if err != nil {
		return out, fmt.Errorf("preview %s: %w", t.ImportID, err)
	}
	w := bufio.NewWriter(f)
	err = plan.WriteOps(w, pl.Ops)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out, fmt.Errorf("write plan of %s: %w", t.User.ID, err)
	}
	if err := p.Files.PutFile(ctx, planKey(t.Tenant, t.ImportID, t.User.ID), path, "application/x-ndjson"); err != nil {
		return out, err
	}
	if err := putJSON(ctx, p.Files, previewKey(t.Tenant, t.ImportID, t.User.ID), pl.Summary); err != nil {
		return out, err
	}
	if err := p.Jobs.SetDeletes(ctx, t.Tenant, t.ImportID, t.User.ID, pl.Summary.Deletes); err != nil {
		return out, err
	}
	out.Preview = pl.Summary
	out.Preview.Sample = nil
	s := pl.Summary
	log.Info("preview ready", "rows", s.Rows, "matched", s.Matched, "creates", s.Creates, "updates", s.Updates,
		"unchanged", s.Unchanged, "deletes", s.Deletes, "skipped", s.Skipped, "errors", s.Errors)
	return out, nil
}

// rows reads the user's rows that split wrote.
func (p *Preview) rows(ctx context.Context, t UserTask) ([]crm.Row, int, error) {
	body, err := p.Files.Open(ctx, userRowsKey(t.Tenant, t.ImportID, t.User.ID))
	if err != nil {
		return nil, 0, err
	}
	defer body.Close()
	var rows []crm.Row
	invalid := 0
	dec := json.NewDecoder(bufio.NewReader(body))
	for {
		var r crm.Row
		if err := dec.Decode(&r); err == io.EOF {
			return rows, invalid, nil
		} else if err != nil {
			return nil, 0, fmt.Errorf("read rows of %s: %w", t.User.ID, err)
		}
		row := crm.Row{Number: r.Number, Fields: r.Fields, Errors: planErrors(r.Errors)}
		if len(row.Errors) > 0 {
			invalid++
		}
		rows = append(rows, row)
	}
}

// planOptions turns the tenant's configuration into the planner's options.
func planOptions(cfg *config.Config, entity *schema.Entity, t UserTask) plan.Options {
	kinds := map[string]plan.Kind{}
	for _, f := range entity.Fields {
		switch f.Type {
		case schema.Number:
			kinds[f.Name] = plan.Number
		case schema.Date:
			kinds[f.Name] = plan.Date
		case schema.DateTime:
			kinds[f.Name] = plan.DateTime
		}
	}
	policies := map[string]crm.Policy{}
	for field, p := range cfg.Policies {
		policies[field] = crm.Policy(p)
	}
	return plan.Options{
		ImportID:      t.ImportID,
		User:          t.User.ID,
		Entity:        entity.Name,
		Mode:          crm.Mode(cfg.Mode),
		KeyFields:     cfg.KeyFields,
		Kinds:         kinds,
		Policies:      policies,
		DefaultPolicy: crm.Policy(cfg.DefaultPolicy),
		EmptyClears:   cfg.EmptyClears,
	}
}
