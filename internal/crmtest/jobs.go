package crmtest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Jobs is an in-memory crm.Jobs with the DynamoDB adapter's semantics
// (internal/dynamo/jobs.go): Create does not overwrite, an ended job keeps
// its status, progress and deletions are kept per user so that a retried
// step sets them again instead of adding them twice, and Open lists the
// jobs that have not ended, oldest first.
type Jobs struct {
	Faults
	mu   sync.Mutex
	jobs map[jobID]*storedJob
}

var _ crm.Jobs = (*Jobs)(nil)

type jobID struct{ tenant, id string }

type storedJob struct {
	job      crm.Job
	progress map[string]int
	deletes  map[string]int
	dropped  map[string]int
	waiting  map[string]string
}

// NewJobs returns an empty job store.
func NewJobs() *Jobs { return &Jobs{jobs: map[jobID]*storedJob{}} }

func (s *Jobs) Create(_ context.Context, j crm.Job) (bool, error) {
	if err := s.call("Create"); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := jobID{j.Tenant, j.ID}
	if _, ok := s.jobs[k]; ok {
		return false, nil
	}
	now := time.Now().UTC()
	j.CreatedAt, j.UpdatedAt = now, now
	// Done is the sum of the users' progress, as Get reports it; the
	// adapter does not store it either.
	j.Done = 0
	s.jobs[k] = &storedJob{job: j, progress: map[string]int{}, deletes: map[string]int{}, dropped: map[string]int{}, waiting: map[string]string{}}
	return true, nil
}

// Get returns the job with Done summed over its users' progress and their
// planned deletions added to Total.
func (s *Jobs) Get(_ context.Context, tenant, id string) (crm.Job, error) {
	if err := s.call("Get"); err != nil {
		return crm.Job{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok {
		return crm.Job{}, crm.Errorf(crm.NotFound, "import %s does not exist", id)
	}
	return sj.view(), nil
}

// view is the job as Get returns it.
func (sj *storedJob) view() crm.Job {
	j := sj.job
	for _, n := range sj.progress {
		j.Done += n
	}
	for _, n := range sj.deletes {
		j.Total += n
	}
	for _, n := range sj.dropped {
		j.Total -= n
	}
	if len(sj.waiting) > 0 {
		j.Waiting = maps.Clone(sj.waiting)
	}
	j.UserStatus = maps.Clone(j.UserStatus)
	if j.Wait != nil {
		w := *j.Wait
		j.Wait = &w
	}
	return j
}

// open returns a job that exists and has not ended, as the adapter's
// condition on its updates wants it; a missing or ended one is a Conflict.
// The caller holds s.mu.
func (s *Jobs) open(tenant, id string) (*storedJob, error) {
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok || sj.job.Status.Terminal() {
		return nil, crm.Errorf(crm.Conflict, "import %s has already ended or does not exist", id)
	}
	return sj, nil
}

// Update applies c, leaving zero fields alone. A missing or ended job is a
// Conflict, as the adapter's condition makes it.
func (s *Jobs) Update(_ context.Context, tenant, id string, c crm.JobChange) error {
	if err := s.call("Update"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, err := s.open(tenant, id)
	if err != nil {
		return err
	}
	j := &sj.job
	now := time.Now().UTC()
	j.UpdatedAt = now
	if c.Status != "" {
		j.Status = c.Status
		if c.Status.Terminal() {
			j.FinishedAt = now
		}
	}
	if c.Reason != "" {
		j.Reason = c.Reason
	}
	if c.Users > 0 {
		j.Users = c.Users
	}
	if c.Counts != nil {
		j.Counts = *c.Counts
	}
	if c.Total > 0 {
		j.Total = c.Total
	}
	if c.ErrorFile != "" {
		j.ErrorFile = c.ErrorFile
	}
	if c.Summary != "" {
		j.Summary = c.Summary
	}
	if c.Attended {
		j.Attended = true
	}
	if c.RestorePoint != nil {
		rp := *c.RestorePoint
		j.RestorePoint = &rp
	}
	if j.Status.Terminal() {
		j.Wait = nil
	}
	return nil
}

// SetWait marks the job WAITING with w, unless it has ended.
func (s *Jobs) SetWait(_ context.Context, tenant, id string, w crm.Wait) error {
	if err := s.call("SetWait"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, err := s.open(tenant, id)
	if err != nil {
		return err
	}
	sj.job.Status, sj.job.Wait, sj.job.UpdatedAt = crm.Waiting, &w, time.Now().UTC()
	return nil
}

// TakeWait takes the job's wait for f away, once.
func (s *Jobs) TakeWait(_ context.Context, tenant, id string, f crm.WaitFor, next crm.Status) (crm.Wait, error) {
	if err := s.call("TakeWait"); err != nil {
		return crm.Wait{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok || sj.job.Status != crm.Waiting || sj.job.Wait == nil || sj.job.Wait.For != f {
		return crm.Wait{}, crm.Errorf(crm.Conflict, "%s", crm.WaitEnded)
	}
	w := *sj.job.Wait
	sj.job.Status, sj.job.Wait, sj.job.UpdatedAt = next, nil, time.Now().UTC()
	return w, nil
}

// GiveBackWait puts w back only while the job has no wait and is still in
// taken, as the adapter's condition does.
func (s *Jobs) GiveBackWait(_ context.Context, tenant, id string, w crm.Wait, taken crm.Status) error {
	if err := s.call("GiveBackWait"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok || sj.job.Wait != nil || sj.job.Status != taken {
		return crm.Errorf(crm.Conflict, "import %s has moved on since its wait was taken: the wait is not given back", id)
	}
	sj.job.Status, sj.job.Wait, sj.job.UpdatedAt = crm.Waiting, &w, time.Now().UTC()
	return nil
}

func (s *Jobs) SetUserStatus(_ context.Context, tenant, id, user string, st crm.UserStatus) error {
	if err := s.call("SetUserStatus"); err != nil {
		return err
	}
	return s.setPerUser(tenant, id, func(sj *storedJob) {
		if sj.job.UserStatus == nil {
			sj.job.UserStatus = map[string]crm.UserStatus{}
		}
		sj.job.UserStatus[user] = st
	})
}

func (s *Jobs) SetProgress(_ context.Context, tenant, id, user string, done int) error {
	if err := s.call("SetProgress"); err != nil {
		return err
	}
	return s.setPerUser(tenant, id, func(sj *storedJob) { sj.progress[user] = done })
}

func (s *Jobs) SetDeletes(_ context.Context, tenant, id, user string, n int) error {
	if err := s.call("SetDeletes"); err != nil {
		return err
	}
	return s.setPerUser(tenant, id, func(sj *storedJob) { sj.deletes[user] = n })
}

func (s *Jobs) SetDropped(_ context.Context, tenant, id, user string, rows int) error {
	if err := s.call("SetDropped"); err != nil {
		return err
	}
	return s.setPerUser(tenant, id, func(sj *storedJob) {
		sj.dropped[user] = rows
		delete(sj.deletes, user)
	})
}

func (s *Jobs) SetWaiting(_ context.Context, tenant, id, user, holder string) error {
	if err := s.call("SetWaiting"); err != nil {
		return err
	}
	return s.setPerUser(tenant, id, func(sj *storedJob) {
		if holder == "" {
			delete(sj.waiting, user)
		} else {
			sj.waiting[user] = holder
		}
	})
}

// setPerUser changes a job that exists; like the adapter's, it does so
// whatever the job's status.
func (s *Jobs) setPerUser(tenant, id string, set func(*storedJob)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok {
		return crm.Errorf(crm.NotFound, "import %s does not exist", id)
	}
	set(sj)
	sj.job.UpdatedAt = time.Now().UTC()
	return nil
}

// Open returns the jobs not ended that were created before before, oldest
// first, as Get returns them.
func (s *Jobs) Open(_ context.Context, before time.Time) ([]crm.Job, error) {
	if err := s.call("Open"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var open []crm.Job
	for _, sj := range s.jobs {
		if !sj.job.Status.Terminal() && sj.job.CreatedAt.Before(before) {
			open = append(open, sj.view())
		}
	}
	slices.SortFunc(open, func(a, b crm.Job) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return open, nil
}

// List returns a tenant's jobs, newest first, as Get returns them.
func (s *Jobs) List(_ context.Context, tenant string) ([]crm.Job, error) {
	if err := s.call("List"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var jobs []crm.Job
	for k, sj := range s.jobs {
		if k.tenant == tenant {
			jobs = append(jobs, sj.view())
		}
	}
	slices.SortFunc(jobs, func(a, b crm.Job) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// TakeOver gives an UPLOADING job of that key the upload obj, as the
// adapter does: a job that took obj already is true and left alone.
func (s *Jobs) TakeOver(_ context.Context, tenant, id string, obj crm.Object) (bool, error) {
	if err := s.call("TakeOver"); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sj, ok := s.jobs[jobID{tenant, id}]
	if !ok {
		return false, crm.Errorf(crm.NotFound, "import %s does not exist", id)
	}
	j := &sj.job
	if j.Status != crm.Uploading || j.Key != obj.Key {
		return j.Key == obj.Key && j.Version == obj.Version && j.ETag == obj.ETag, nil
	}
	j.Status, j.Version, j.ETag, j.UpdatedAt = crm.Received, obj.Version, obj.ETag, time.Now().UTC()
	return true, nil
}
