package stack

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestFromEnvReadsTheLimits(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want crm.Limits
	}{
		{"defaults when unset", map[string]string{},
			crm.Limits{MaxRows: crm.DefaultMaxRows, MaxUsers: crm.DefaultMaxUsers, MaxUploadBytes: crm.DefaultMaxUploadBytes}},
		{"as the template sets them", map[string]string{"MAX_ROWS": "500", "MAX_USERS": "7", "MAX_UPLOAD_BYTES": "5368709120"},
			crm.Limits{MaxRows: 500, MaxUsers: 7, MaxUploadBytes: 5 << 30}},
		{"defaults for values that are no limit", map[string]string{"MAX_UPLOAD_BYTES": "-1", "MAX_ROWS": "many"},
			crm.Limits{MaxRows: crm.DefaultMaxRows, MaxUsers: crm.DefaultMaxUsers, MaxUploadBytes: crm.DefaultMaxUploadBytes}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TABLE_NAME", "table")
			t.Setenv("BUCKET_NAME", "bucket")
			for _, name := range []string{"MAX_ROWS", "MAX_USERS", "MAX_UPLOAD_BYTES"} {
				t.Setenv(name, tt.env[name])
			}
			s, err := FromEnv(context.Background())
			if err != nil {
				t.Fatalf("FromEnv() error = %v", err)
			}
			if s.Limits != tt.want {
				t.Errorf("FromEnv().Limits = %+v, want %+v", s.Limits, tt.want)
			}
		})
	}
}
