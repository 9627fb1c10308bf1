package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

func TestRestorePointIsRecordedAndWaitedFor(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		mode    string
		pending int    // checks that find the export in progress
		failure string // the export's failure
		after   []int  // minutes after the start of each check
		ready   bool   // after the last check
		refused string // the import fails with a refusal saying this
		export  bool   // an export was started
	}{
		{"an export done at once is ready at the first check", crm.RestorePointExport, 0, "", []int{0}, true, "", true},
		{"an export in progress is waited for", crm.RestorePointExport, 2, "", []int{0, 1, 2}, true, "", true},
		{"an export still in progress is not ready", crm.RestorePointExport, 5, "", []int{0, 1}, false, "", true},
		{"an export that fails fails the import before any write", crm.RestorePointExport, 0, "S3 access denied", []int{0}, false, "could not be made (S3 access denied), so nothing was imported", true},
		{"an export not done within the limit fails the import", crm.RestorePointExport, 100, "", []int{0, 30, 61}, false, "was not ready after 1h0m0s, so nothing was imported", true},
		{"the point-in-time mode records the time and exports nothing", crm.RestorePointTimeOnly, 0, "", []int{0}, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, exports := crmtest.NewJobs(), crmtest.NewExports()
			exports.Pending, exports.Failure = tt.pending, tt.failure
			exports.Now = func() time.Time { return start }
			jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-rp", Status: crm.Splitting})
			now := start
			r := &RestorePoint{Jobs: jobs, Exports: exports, Mode: tt.mode, Log: discard, Now: func() time.Time { return now }}
			s, err := r.Handle(ctx, RestorePointInput{Action: ActionStart, State: State{ImportID: "imp-rp", Tenant: tenant, Map: &MapItems{Key: "items.json", Users: 1}}})
			if err != nil {
				t.Fatalf("Handle(start) = %v", err)
			}
			j, _ := jobs.Get(ctx, tenant, "imp-rp")
			want := crm.RestorePoint{Time: start}
			if tt.export {
				want.ExportARN, want.Prefix = s.RestorePoint.ExportARN, "restore-points/"+tenant+"/imp-rp"
			}
			if j.RestorePoint == nil || *j.RestorePoint != want || (tt.export && want.ExportARN == "") {
				t.Errorf("job.RestorePoint = %+v, want %+v", j.RestorePoint, want)
			}
			if got := len(exports.Prefixes()) > 0; got != tt.export {
				t.Errorf("export started = %v, want %v", got, tt.export)
			}
			for _, m := range tt.after {
				now = start.Add(time.Duration(m) * time.Minute)
				s, err = r.Handle(ctx, RestorePointInput{Action: ActionCheck, State: s})
				if err != nil {
					break
				}
			}
			if tt.refused != "" {
				if crm.KindOf(err) != crm.Refused || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("Handle(check) = %v, want a refusal saying %q", err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("Handle(check) = %v", err)
			}
			if s.RestorePoint.Ready != tt.ready {
				t.Errorf("ready = %v, want %v", s.RestorePoint.Ready, tt.ready)
			}
		})
	}
}

func TestAnImportWithNoUserToWriteTakesNoRestorePoint(t *testing.T) {
	ctx := context.Background()
	jobs, exports := crmtest.NewJobs(), crmtest.NewExports()
	jobs.Create(ctx, crm.Job{Tenant: tenant, ID: "imp-none", Status: crm.Splitting})
	r := &RestorePoint{Jobs: jobs, Exports: exports, Log: discard}
	s, err := r.Handle(ctx, RestorePointInput{Action: ActionStart, State: State{ImportID: "imp-none", Tenant: tenant}})
	if err != nil {
		t.Fatalf("Handle(start) = %v", err)
	}
	j, _ := jobs.Get(ctx, tenant, "imp-none")
	if s.RestorePoint == nil || !s.RestorePoint.Ready || len(exports.Prefixes()) != 0 || j.RestorePoint != nil {
		t.Errorf("Handle(start) of no user = %+v, exports %v, job %+v, want ready with no export and none on the job", s.RestorePoint, exports.Prefixes(), j.RestorePoint)
	}
}
