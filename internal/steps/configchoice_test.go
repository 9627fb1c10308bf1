package steps

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

func TestValidateReadsTheConfigurationTheAPIRecorded(t *testing.T) {
	const (
		saved  = `{"version":1,"entity":"customers","mode":"update_only","key_fields":["customer_number"]}`
		inline = `{"version":1,"entity":"customers","mode":"update","key_fields":["customer_number"]}`
		other  = `{"version":1,"entity":"customers","mode":"add"}`
	)
	tests := []struct {
		name     string
		job      func(*crm.Job)
		metadata map[string]string
		wantMode crm.Mode
	}{
		{"a saved configuration the job names", func(j *crm.Job) { j.Config = "saved" }, nil, crm.UpdateOnly},
		{"the job's choice over the upload's metadata", func(j *crm.Job) { j.Config = "saved" }, map[string]string{ConfigMetadata: "other"}, crm.UpdateOnly},
		{"the inline configuration written with the work files", func(j *crm.Job) { j.InlineConfig = true }, nil, crm.Update},
		{"the metadata of a drop, as before", func(*crm.Job) {}, map[string]string{ConfigMetadata: "saved"}, crm.UpdateOnly},
		{"the defaults when nothing is chosen", func(*crm.Job) {}, nil, crm.Add},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			_ = f.tenants.SaveConfig(ctx, tenant, "saved", []byte(saved))
			_ = f.tenants.SaveConfig(ctx, tenant, "other", []byte(other))
			const id = "imp-00000000000000000000000002"
			key := "incoming/acme/customers/" + id + "/customers.csv"
			f.files.Add(key, []byte(agentsCSV), tt.metadata)
			w := crm.Work{Tenant: tenant, ImportID: id}
			f.files.Add(w.Inline(), []byte(inline), nil)
			j := crm.Job{Tenant: tenant, ID: id, Entity: "customers", Bucket: uploadsName, Key: key, Status: crm.Received}
			tt.job(&j)
			if _, err := f.jobs.Create(ctx, j); err != nil {
				t.Fatal(err)
			}
			s := State{ImportID: id, Tenant: tenant, Bucket: uploadsName, Key: key, ETag: crmtest.ETag([]byte(agentsCSV)), Entity: "customers"}
			if _, err := f.validate().Handle(ctx, s); err != nil {
				t.Fatalf("Handle() error = %v", err)
			}
			cfg, err := config.Parse(f.files.Data(w.Config()))
			if err != nil || cfg.Mode != tt.wantMode {
				t.Errorf("config.json mode = %v, %v, want %s", cfg, err, tt.wantMode)
			}
		})
	}
}
