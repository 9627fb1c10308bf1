package steps

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// memFiles is an in-memory work-file store for tests of the steps' logic.
type memFiles map[string][]byte

func (m memFiles) Open(_ context.Context, key string) (io.ReadCloser, error) {
	data, ok := m[key]
	if !ok {
		return nil, crm.Errorf(crm.NotFound, "file %s does not exist", key)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}
func (m memFiles) Download(context.Context, string, string) error { return nil }
func (m memFiles) Metadata(context.Context, string) (map[string]string, error) {
	return nil, nil
}
func (m memFiles) PutFile(context.Context, string, string, string) error { return nil }
func (m memFiles) Put(_ context.Context, key string, data []byte, _ string) error {
	m[key] = data
	return nil
}

type jobUpdates struct {
	crm.Jobs // methods the tests do not call
	changes  []crm.JobChange
}

func (j *jobUpdates) Get(context.Context, string, string) (crm.Job, error) { return crm.Job{}, nil }
func (j *jobUpdates) Update(_ context.Context, _, _ string, c crm.JobChange) error {
	j.changes = append(j.changes, c)
	return nil
}
func (j *jobUpdates) SetProgress(context.Context, string, string, string, int) error { return nil }

type notifyFunc func(detailType string, detail any) error

func (f notifyFunc) Send(_ context.Context, detailType string, detail any) error {
	return f(detailType, detail)
}

type changesFunc func() (int, error)

// beforeImages is a record store that only counts before-images.
type beforeImages struct {
	crm.Records // methods the tests do not call
	count       changesFunc
}

func (b beforeImages) CountBeforeImages(context.Context, string, string) (int, error) {
	return b.count()
}

func TestFailedImportSaysWhatWasAlreadyApplied(t *testing.T) {
	files := memFiles{
		// The first user's apply finished; the second was cut off half-way
		// and left no result, only before-images.
		crm.Work{Tenant: "acme", ImportID: "imp-1"}.Result("u1"): []byte(`{"counts":{"created":40,"updated":10}}`),
	}
	jobs := &jobUpdates{}
	var sent string
	f := &Finalize{
		Files:   files,
		Jobs:    jobs,
		Notify:  notifyFunc(func(dt string, _ any) error { sent = dt; return nil }),
		Records: beforeImages{count: func() (int, error) { return 85, nil }},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	s := State{
		ImportID: "imp-1", Tenant: "acme", Rows: 120,
		Users: []crm.UserRef{{ID: "u1", Rows: 50}, {ID: "u2", Rows: 70}},
		Error: &StepError{Error: "PermanentError", Cause: `{"errorType":"PermanentError","errorMessage":"ValidationException: Item size has exceeded the maximum allowed size"}`},
	}

	sum, err := f.Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Handle() error = %v", err)
	}
	if len(jobs.changes) != 1 || jobs.changes[0].Status != crm.Failed {
		t.Fatalf("job changes = %+v, want one that marks it FAILED", jobs.changes)
	}
	reason := jobs.changes[0].Reason
	for _, want := range []string{"internal error", "1 of 2 users were applied in full: 40 created, 10 updated", "85 records in all"} {
		if !strings.Contains(reason, want) {
			t.Errorf("reason = %q, want it to contain %q", reason, want)
		}
	}
	if strings.Contains(reason, "ValidationException") {
		t.Errorf("reason = %q, want no internals", reason)
	}
	if c := jobs.changes[0].Counts; c == nil || c.Created != 40 || c.Updated != 10 || c.Rows != 120 {
		t.Errorf("counts = %+v, want the finished user's counts and the file's rows", c)
	}
	if sum.Status != crm.Failed || sent != "ImportFailed" {
		t.Errorf("summary status %s, event %q, want FAILED and ImportFailed", sum.Status, sent)
	}
	if _, ok := files[crm.Work{Tenant: "acme", ImportID: "imp-1"}.Summary()]; !ok {
		t.Errorf("no summary written for the failed import")
	}
}
