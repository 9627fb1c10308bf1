package steps

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/plan"
	"github.com/crmimport/crm-import/internal/schema"
)

// Preview plans one user's rows against that user's existing records: the
// plan is the preview. It writes the plan for the apply step and the
// summary (counts and a sample of changes, field by field) for the tenant.
type Preview struct {
	Files   crm.Files
	Records crm.Records
	// Tenants holds the user directory an import of users plans against.
	Tenants crm.Tenants
	Jobs    crm.Jobs
	// Leases keep two imports from planning and writing the same user's
	// records at once; the lease taken here is held until apply ends.
	Leases crm.Leases
	TmpDir string
	Log    *slog.Logger
}

// UserPlan is the preview step's output and the apply step's input.
type UserPlan struct {
	UserTask
	Entity  string       `json:"entity"`
	Rows    int          `json:"rows"`
	Invalid int          `json:"invalid"` // rows with validation errors, counted by validate already
	Preview plan.Preview `json:"preview"` // without its sample, which stays in S3
	// Resume is set when an apply invocation stopped before the end of
	// the plan: where the next one goes on (applyresume.go).
	Resume *ApplyResume `json:"resume,omitempty"`
}

// Handle is the preview step.
func (p *Preview) Handle(ctx context.Context, t UserTask) (UserPlan, error) {
	out, err := p.handle(ctx, t, true)
	if err != nil {
		keepUserFailure(ctx, t.Logger(p.Log, "preview"), p.Files, t, err)
	}
	return out, err
}

// handle plans the user's rows; with stream, as streamPlan does wherever it
// can: the benchmark measures both ways.
func (p *Preview) handle(ctx context.Context, t UserTask, stream bool) (UserPlan, error) {
	log := t.Logger(p.Log, "preview")
	out := UserPlan{UserTask: t}
	cfg, err := readConfig(ctx, p.Files, t.work())
	if err != nil {
		return out, err
	}
	entity, err := cfg.Schema()
	if err != nil {
		return out, fmt.Errorf("preview %s: %w", t.ImportID, err)
	}
	out.Entity = entity.Name
	// The lease comes before the records are read: a plan made while
	// another import writes them would be stale before it is shown.
	if err := acquire(ctx, log, p.Leases, p.Jobs, userLease(t.Tenant, t.ImportID, t.User.ID, entity.Name)); err != nil {
		return out, err
	}
	var pv plan.Preview
	if stream && !isDirectory(entity.Name) && !hasLinks(cfg, entity) {
		pv, out.Rows, out.Invalid, err = p.streamPlan(ctx, t, cfg, entity)
	} else {
		pv, out.Rows, out.Invalid, err = p.wholePlan(ctx, t, cfg, entity)
	}
	if err != nil {
		return out, err
	}
	if err := putJSON(ctx, p.Files, t.work().Preview(t.User.ID), pv); err != nil {
		return out, err
	}
	if err := p.Jobs.SetDeletes(ctx, t.Tenant, t.ImportID, t.User.ID, pv.Deletes); err != nil {
		return out, err
	}
	out.Preview = pv
	out.Preview.Sample = nil
	log.Info("preview ready", "rows", pv.Rows, "matched", pv.Matched, "creates", pv.Creates, "updates", pv.Updates,
		"unchanged", pv.Unchanged, "deletes", pv.Deletes, "skipped", pv.Skipped, "errors", pv.Errors)
	return out, nil
}

// wholePlan reads the user's rows and plans them in memory: for an import
// of users, and for rows that link to other records (links resolve a
// user's rows together).
func (p *Preview) wholePlan(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity) (plan.Preview, int, int, error) {
	rows, invalid, err := p.rows(ctx, t)
	if err != nil {
		return plan.Preview{}, 0, 0, err
	}
	pl, err := p.plan(ctx, t, cfg, entity, rows)
	if err != nil {
		return plan.Preview{}, 0, 0, err
	}
	err = uploadFile(ctx, p.Files, p.TmpDir, t.work().Plan(t.User.ID), crm.JSONLines, func(w io.Writer) error {
		return plan.WriteOps(w, pl.Ops)
	})
	if err != nil {
		return plan.Preview{}, 0, 0, fmt.Errorf("write plan of %s: %w", t.User.ID, err)
	}
	return pl.Preview, len(rows), invalid, nil
}

// plan plans the rows against the user's records, or against the user
// directory for an import of users.
func (p *Preview) plan(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity, rows []crm.Row) (*plan.Plan, error) {
	if isDirectory(entity.Name) {
		return p.previewDirectory(ctx, t, cfg, entity, rows)
	}
	lk, err := p.link(ctx, t, cfg, entity, rows)
	if err != nil {
		return nil, err
	}
	if err := p.writeLinked(ctx, t, lk.creates); err != nil {
		return nil, err
	}
	existing, err := p.Records.Query(ctx, t.Tenant, t.User.ID, entity.Name)
	if err != nil {
		return nil, err
	}
	pl, err := plan.Build(existing, rows, planOptions(cfg, entity, t))
	if err != nil {
		return nil, fmt.Errorf("plan %s for %s: %w", t.ImportID, t.User.ID, err)
	}
	if err := p.writeSnapshot(ctx, t, existing, pl.Ops); err != nil {
		return nil, fmt.Errorf("write snapshot of %s: %w", t.User.ID, err)
	}
	pl.Preview.Unresolved = lk.unresolved
	for e, ops := range lk.creates {
		if pl.Preview.Linked == nil {
			pl.Preview.Linked = map[string]int{}
		}
		pl.Preview.Linked[e] = len(ops)
	}
	return pl, nil
}

// rows reads the user's rows that split wrote.
func (p *Preview) rows(ctx context.Context, t UserTask) ([]crm.Row, int, error) {
	body, err := openWork(ctx, p.Files, t.work().UserRows(t.User.ID))
	if err != nil {
		return nil, 0, err
	}
	defer body.Close()
	var rows []crm.Row
	invalid := 0
	err = crm.ReadLines(body, func(r crm.Row) error {
		if len(r.Errors) > 0 {
			invalid++
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read rows of %s: %w", t.User.ID, err)
	}
	return rows, invalid, nil
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
	// The file's column of each field: validate replaces the mapping with
	// the file's own, one title per field, so an error names the column as
	// the file titles it.
	columns := map[string]string{}
	for title, field := range cfg.Mapping {
		columns[field] = title
	}
	lang := schema.Lang(strings.ToLower(strings.SplitN(cfg.Locale, "-", 2)[0]))
	var required []plan.Required
	for _, f := range entity.Fields {
		if f.Required || slices.Contains(cfg.Required, f.Name) {
			required = append(required, plan.Required{Field: f.Name, Column: columns[f.Name], Title: f.Title(lang)})
		}
	}
	var oneOf [][]plan.Required
	for _, group := range cfg.RequiredOneOf {
		var g []plan.Required
		for _, name := range group {
			f, _ := entity.Field(name)
			g = append(g, plan.Required{Field: name, Column: columns[name], Title: f.Title(lang)})
		}
		oneOf = append(oneOf, g)
	}
	o := plan.Options{
		ImportID:      t.ImportID,
		User:          t.User.ID,
		Entity:        entity.Name,
		Mode:          cfg.Mode,
		KeyFields:     cfg.KeyFields,
		Kinds:         kinds,
		Policies:      cfg.Policies,
		DefaultPolicy: cfg.DefaultPolicy,
		EmptyClears:   cfg.EmptyClears,
		Required:      required,
		RequiredOneOf: oneOf,
	}
	if slices.Contains(cfg.KeyFields, schema.RecordID) {
		o.IDField, o.IDColumn = schema.RecordID, columns[schema.RecordID]
	}
	return o
}
