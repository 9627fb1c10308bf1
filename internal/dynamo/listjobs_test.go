package dynamo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestJobsListGivesOneTenantsImportsNewestFirst(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	// Created a minute apart; the ids sort the other way round, so the
	// order can only come from the creation times.
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i, j := range []crm.Job{
		{Tenant: "acme", ID: "imp-c", Status: crm.Succeeded},
		{Tenant: "globex", ID: "imp-g", Status: crm.Received},
		{Tenant: "acme", ID: "imp-b", Status: crm.Failed},
		{Tenant: "acme", ID: "imp-a", Status: crm.Received},
	} {
		jobs.now = func() time.Time { return t0.Add(time.Duration(i) * time.Minute) }
		if _, err := jobs.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// The tenant's other items share its partition and are not imports.
	if err := NewTenants(client, table).PutUser(ctx, "acme", crm.User{ID: "u-1", Email: "u1@acme.example"}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		tenant string
		want   []string
	}{
		{"acme", []string{"imp-a", "imp-b", "imp-c"}},
		{"globex", []string{"imp-g"}},
		{"initech", nil},
	}
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			list, err := jobs.List(ctx, tt.tenant)
			var ids []string
			for _, j := range list {
				ids = append(ids, j.ID)
			}
			if err != nil || !slices.Equal(ids, tt.want) {
				t.Errorf("List(%s) = %v, %v, want %v", tt.tenant, ids, err, tt.want)
			}
		})
	}
}
