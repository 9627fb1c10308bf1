package steps

import (
	"context"
	"strings"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/links"
	"github.com/crmimport/crm-import/internal/schema"
)

// link resolves the rows' references to other entities' records (a
// contact's company by name or number) against the user's records of those
// entities: one Query per entity referred to. A reference to the entity
// itself (a company's parent) is left as the name it is: the record it
// names may be created by the same file.
func (p *Preview) link(ctx context.Context, t UserTask, cfg *config.Config, entity *schema.Entity, rows []crm.Row) ([]links.Unresolved, error) {
	columns := map[string]string{}
	for title, field := range cfg.Mapping {
		columns[field] = title
	}
	loaded := map[string][]crm.Record{}
	var indexes []*links.Index
	for _, f := range entity.Fields {
		column, mapped := columns[f.Name]
		if f.Type != schema.Reference || !mapped || f.Ref == entity.Name {
			continue
		}
		recs, ok := loaded[f.Ref]
		if !ok {
			var err error
			if recs, err = p.Records.Query(ctx, t.Tenant, t.User.ID, f.Ref); err != nil {
				return nil, err
			}
			loaded[f.Ref] = recs
		}
		l := links.Link{Field: f.Name, Column: column, Entity: f.Ref}
		if strings.HasSuffix(f.Name, "_number") {
			l.By = "customer_number" // company_number, a visit report's customer_number
		}
		indexes = append(indexes, links.NewIndex(l, recs))
	}
	if len(indexes) == 0 {
		return nil, nil
	}
	return links.Resolve(rows, indexes), nil
}
