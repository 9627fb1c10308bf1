package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// The tests of the step handlers run them on the in-memory doubles of the
// ports, one import of the tenant acme at a time, with real small files.
const (
	tenant      = "acme"
	uploadsName = "uploads"
)

// The tenant's sales agents.
var (
	anna = crm.User{ID: "u-anna", Email: "anna@acme.example", EmployeeNumber: "E-1"}
	bo   = crm.User{ID: "u-bo", Email: "bo@acme.example", EmployeeNumber: "E-2"}
)

var discard = slog.New(slog.DiscardHandler)

// fixture is the outside world of one test: the doubles of every port.
type fixture struct {
	files    *crmtest.Files
	jobs     *crmtest.Jobs
	tenants  *crmtest.Tenants
	workflow *crmtest.Workflow
	notifier *crmtest.Notifier
	records  *crmtest.Records
	leases   *crmtest.Leases
	limits   crm.Limits
	tmp      string
}

// newFixture returns a world where acme has two users and the stack's
// default limits.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		files:    crmtest.NewFiles(),
		jobs:     crmtest.NewJobs(),
		tenants:  crmtest.NewTenants(),
		workflow: crmtest.NewWorkflow(),
		notifier: crmtest.NewNotifier(),
		records:  &crmtest.Records{},
		leases:   crmtest.NewLeases(),
		limits:   crm.Limits{MaxRows: crm.DefaultMaxRows, MaxUsers: crm.DefaultMaxUsers},
		tmp:      t.TempDir(),
	}
	f.tenants.PutUser(tenant, anna)
	f.tenants.PutUser(tenant, bo)
	return f
}

func (f *fixture) validate() *Validate {
	return &Validate{Files: f.files, Jobs: f.jobs, Tenants: f.tenants, Limits: f.limits, Leases: f.leases, TmpDir: f.tmp, Log: discard}
}

func (f *fixture) split() *Split {
	return &Split{Files: f.files, Jobs: f.jobs, Tenants: f.tenants, Limits: f.limits, TmpDir: f.tmp, Log: discard}
}

func (f *fixture) preview() *Preview {
	return &Preview{Files: f.files, Records: f.records, Tenants: f.tenants, Jobs: f.jobs, Leases: f.leases, TmpDir: f.tmp, Log: discard}
}

func (f *fixture) finalize() *Finalize {
	return &Finalize{Files: f.files, Jobs: f.jobs, Notify: f.notifier, Records: f.records, Leases: f.leases, Tenants: f.tenants, Limits: f.limits, Log: discard}
}

func (f *fixture) trigger() *Trigger {
	return &Trigger{Bucket: uploadsName, Jobs: f.jobs, Workflow: f.workflow, Log: discard}
}

// upload stores a customers file as a tenant uploads it, naming a saved
// configuration when config is not "", and creates its job as the trigger
// does. It returns the state validate receives.
func (f *fixture) upload(t *testing.T, name, content, config string) State {
	t.Helper()
	key := crm.IncomingPrefix + tenant + "/customers/" + name
	meta := map[string]string{}
	if config != "" {
		meta[ConfigMetadata] = config
	}
	f.files.Add(key, []byte(content), meta)
	etag := crmtest.ETag([]byte(content))
	s := State{ImportID: crm.ImportID(uploadsName, key, "", etag), Tenant: tenant, Bucket: uploadsName, Key: key, ETag: etag, Entity: "customers"}
	if _, err := f.jobs.Create(context.Background(), crm.Job{
		Tenant: tenant, ID: s.ImportID, Entity: s.Entity, Bucket: s.Bucket, Key: s.Key, Status: crm.Received,
	}); err != nil {
		t.Fatalf("Create(%s) error = %v", s.ImportID, err)
	}
	return s
}

// validated uploads a file and validates it: the state split receives.
func (f *fixture) validated(t *testing.T, content, config string) State {
	t.Helper()
	s, err := f.validate().Handle(context.Background(), f.upload(t, "customers.csv", content, config))
	if err != nil {
		t.Fatalf("Validate.Handle() error = %v", err)
	}
	return s
}

// splitted uploads a file, validates and splits it: the state the Map
// iterates over.
func (f *fixture) splitted(t *testing.T, content, config string) State {
	t.Helper()
	s, err := f.split().Handle(context.Background(), f.validated(t, content, config))
	if err != nil {
		t.Fatalf("Split.Handle() error = %v", err)
	}
	return s
}

// job returns the tenant's import job as the job store has it.
func (f *fixture) job(t *testing.T, importID string) crm.Job {
	t.Helper()
	j, err := f.jobs.Get(context.Background(), tenant, importID)
	if err != nil {
		t.Fatalf("Get(%s) error = %v", importID, err)
	}
	return j
}

// lines decodes every JSON line of a work file into a T, refusing fields
// T does not know: the file format between steps is T, nothing else.
func lines[T any](t *testing.T, files *crmtest.Files, key string) []T {
	t.Helper()
	o, ok := files.Object(key)
	if !ok {
		t.Fatalf("no work file %s; have %q", key, files.Keys(crm.WorkPrefix))
	}
	var out []T
	for i, line := range bytes.Split(bytes.TrimSuffix(o.Data, []byte("\n")), []byte("\n")) {
		var v T
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s line %d: %v: %s", key, i+1, err, line)
		}
		out = append(out, v)
	}
	return out
}

// putLines writes values as a JSON-lines work file, as a step before the
// one under test would.
func putLines[T any](t *testing.T, files *crmtest.Files, key string, values ...T) {
	t.Helper()
	var buf bytes.Buffer
	w := crm.NewLineWriter[T](&buf)
	for _, v := range values {
		if err := w.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := files.Put(context.Background(), key, buf.Bytes(), crm.JSONLines); err != nil {
		t.Fatal(err)
	}
}

// rowNumbers lists the rows' numbers, in order.
func rowNumbers(rows []crm.Row) []int {
	var n []int
	for _, r := range rows {
		n = append(n, r.Number)
	}
	return n
}

// checkError fails the test unless err is of kind with a message that
// contains message; kind "" wants no error.
func checkError(t *testing.T, call string, err error, kind crm.Kind, message string) {
	t.Helper()
	if got := crm.KindOf(err); got != kind {
		t.Fatalf("%s error = %v (kind %q), want kind %q", call, err, got, kind)
	}
	if err != nil && !strings.Contains(crm.Message(err), message) {
		t.Errorf("%s message = %q, want it to contain %q", call, crm.Message(err), message)
	}
}

// newTenantsWith returns a tenant store where acme has only users.
func newTenantsWith(users ...crm.User) *crmtest.Tenants {
	tenants := crmtest.NewTenants()
	for _, u := range users {
		tenants.PutUser(tenant, u)
	}
	return tenants
}

// equalJSON reports whether a and b encode to the same JSON.
func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

// mapItems reads the users of the manifest the state names, as the
// Distributed Map's ItemReader reads them; none when it names none.
func (f *fixture) mapItems(t *testing.T, s State) []crm.UserRef {
	t.Helper()
	users, err := readMapItems(context.Background(), f.files, s.Map)
	if err != nil {
		t.Fatalf("readMapItems(%+v) error = %v", s.Map, err)
	}
	return users
}

// mapped is s after the Map ran over users with these results: the
// manifest split writes, and each user's result as its apply writes it.
func (f *fixture) mapped(t *testing.T, s State, users []crm.UserRef, results []crm.UserResult) State {
	t.Helper()
	ctx := context.Background()
	m, err := putMapItems(ctx, f.files, s.work(), users)
	if err != nil {
		t.Fatalf("putMapItems() error = %v", err)
	}
	s.Map = m
	s.MapRun = &MapRun{MapRunArn: "arn:aws:states:eu-central-1:123456789012:mapRun:import/EachUser:test"}
	for _, r := range results {
		if err := putJSON(ctx, f.files, s.work().Result(r.User.ID), r); err != nil {
			t.Fatalf("put result of %s: %v", r.User.ID, err)
		}
	}
	return s
}
