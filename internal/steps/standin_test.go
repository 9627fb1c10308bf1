package steps

// TEMPORARY: stands in for crmtest.Records until it lands on main.

import (
	"context"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

type standInRecords struct {
	mu      sync.Mutex
	records map[string][]crm.Record
	images  map[string]int
}

func (r *standInRecords) Put(tenant, user string, rec crm.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.records == nil {
		r.records = map[string][]crm.Record{}
	}
	r.records[tenant+"/"+user+"/"+rec.Entity] = append(r.records[tenant+"/"+user+"/"+rec.Entity], rec)
}

func (r *standInRecords) Query(_ context.Context, tenant, user, entity string) ([]crm.Record, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.records[tenant+"/"+user+"/"+entity], nil
}

func (r *standInRecords) Write(_ context.Context, s crm.Scope, writes []crm.Write) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.images == nil {
		r.images = map[string]int{}
	}
	r.images[s.Tenant+"/"+s.ImportID] += len(writes)
	return nil
}

func (r *standInRecords) CountBeforeImages(_ context.Context, tenant, importID string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.images[tenant+"/"+importID], nil
}
