package steps

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/links"
	"github.com/crmimport/crm-import/internal/match"
	"github.com/crmimport/crm-import/internal/plan"
	"github.com/crmimport/crm-import/internal/schema"
)

// linked is what resolving a user's rows' links found: the values left
// unresolved, and the plan of the records created to link to.
type linked struct {
	unresolved []links.Unresolved
	// creates are, per entity, the create ops of the records the rows name
	// and no record is (configuration create_linked).
	creates map[string][]plan.Op
}

// link resolves the rows' references to other entities' records (a
// contact's company by name or number) against the user's records of those
// entities: one Query per entity referred to. A reference to the entity
// itself (a company's parent) is left as the name it is: the record it
// names may be created by the same file.
func (p *Preview) link(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity, rows []crm.Row) (linked, error) {
	refs, byName := linkFields(cfg, entity)
	if len(refs) == 0 {
		return linked{}, nil
	}
	creating := cfg.CreateLinked && len(byName) > 0
	if creating {
		// The companies this import may create are the user's too: their
		// lease is taken before they are read, as the rows' own entity's,
		// and apply holds it while it writes them.
		if err := acquire(ctx, t.Logger(p.Log, "preview"), p.Leases, p.Jobs, userLease(t.Tenant, t.ImportID, t.User.ID, schema.Companies.Name)); err != nil {
			return linked{}, err
		}
	}
	loaded := map[string][]crm.Record{}
	for _, l := range refs {
		if _, ok := loaded[l.Entity]; !ok {
			recs, err := p.Records.Query(ctx, t.Tenant, t.User.ID, l.Entity)
			if err != nil {
				return linked{}, err
			}
			loaded[l.Entity] = recs
		}
	}
	var out linked
	if creating {
		ops, err := newCompanies(t, rows, byName, loaded[schema.Companies.Name])
		if err != nil {
			return linked{}, err
		}
		if len(ops) > 0 {
			out.creates = map[string][]plan.Op{schema.Companies.Name: ops}
		}
		// The rows link to the companies to be created as to existing ones,
		// by name and by number alike.
		for _, op := range ops {
			loaded[schema.Companies.Name] = append(loaded[schema.Companies.Name], crm.Record{Entity: schema.Companies.Name, ID: op.ID, Fields: op.Fields})
		}
	}
	indexes := make([]*links.Index, len(refs))
	for i, l := range refs {
		indexes[i] = links.NewIndex(l, loaded[l.Entity])
	}
	out.unresolved = links.Resolve(rows, indexes)
	return out, nil
}

// linkFields are the rows' references to other entities' records the
// file's columns give, and among them those by name to companies (which
// create_linked creates).
func linkFields(cfg *config.Config, entity *schema.Entity) (refs, byName []links.Link) {
	columns := map[string]string{}
	for title, field := range cfg.Mapping {
		columns[field] = title
	}
	for _, f := range entity.Fields {
		column, mapped := columns[f.Name]
		if f.Type != schema.Reference || !mapped || f.Ref == entity.Name {
			continue
		}
		l := links.Link{Field: f.Name, Column: column, Entity: f.Ref}
		if strings.HasSuffix(f.Name, "_number") {
			l.By = "customer_number" // company_number, a visit report's customer_number
		} else if f.Ref == schema.Companies.Name {
			byName = append(byName, l)
		}
		refs = append(refs, l)
	}
	return refs, byName
}

// hasLinks says whether the rows refer to other entities' records.
func hasLinks(cfg *config.Config, entity *schema.Entity) bool {
	refs, _ := linkFields(cfg, entity)
	return len(refs) > 0
}

// newCompanies plans the companies the rows name by name and no company of
// the user has, one per name however many rows repeat it, with the
// customer number of the first row that gives one. The ids are the plan's
// own for a company keyed by its name: a retried preview plans the same
// ones.
func newCompanies(t UserTask, rows []crm.Row, byName []links.Link, existing []crm.Record) ([]plan.Op, error) {
	known := map[string]bool{}
	for _, r := range existing {
		known[match.Normalize(match.Text, r.Fields["name"])] = true
	}
	var companyRows []crm.Row
	first := map[string]int{} // normalised name -> index in companyRows
	for _, r := range rows {
		if len(r.Errors) > 0 {
			continue
		}
		for _, l := range byName {
			name := strings.TrimSpace(r.Fields[l.Field])
			k := match.Normalize(match.Text, name)
			if k == "" || known[k] {
				continue
			}
			if i, ok := first[k]; ok {
				if companyRows[i].Fields["customer_number"] == "" && r.Fields["company_number"] != "" {
					companyRows[i].Fields["customer_number"] = r.Fields["company_number"]
				}
				continue
			}
			first[k] = len(companyRows)
			fields := map[string]string{"name": name}
			if n := r.Fields["company_number"]; n != "" {
				fields["customer_number"] = n
			}
			companyRows = append(companyRows, crm.Row{Number: r.Number, Fields: fields})
		}
	}
	if len(companyRows) == 0 {
		return nil, nil
	}
	pl, err := plan.Build(nil, companyRows, plan.Options{ImportID: t.ImportID, User: t.User.ID, Entity: schema.Companies.Name,
		Mode: crm.Add, KeyFields: []string{"name"}})
	if err != nil {
		return nil, fmt.Errorf("plan the linked companies of %s: %w", t.User.ID, err)
	}
	var ops []plan.Op
	for _, op := range pl.Ops {
		if op.Kind == plan.OpCreate {
			op.Row = 0 // the company is in no row of its own: the row log is the contacts'
			ops = append(ops, op)
		}
	}
	return ops, nil
}

// writeLinked writes the plans of the records the rows create to link to.
func (p *Preview) writeLinked(ctx context.Context, t UserTask, creates map[string][]plan.Op) error {
	for entity, ops := range creates {
		err := uploadFile(ctx, p.Files, p.TmpDir, t.work().LinkedPlan(t.User.ID, entity), crm.JSONLines, func(w io.Writer) error {
			return plan.WriteOps(w, ops)
		})
		if err != nil {
			return fmt.Errorf("write the linked %s of %s: %w", entity, t.User.ID, err)
		}
	}
	return nil
}
