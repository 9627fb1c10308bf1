package crmtest

import (
	"context"
	"sync"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Leases is an in-memory crm.Leases with the DynamoDB adapter's semantics:
// a lease is taken when free, expired or held by the same import already.
type Leases struct {
	Faults
	mu     sync.Mutex
	leases map[leaseID]crm.Lease
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

var _ crm.Leases = (*Leases)(nil)

type leaseID struct{ tenant, user, entity string }

// NewLeases returns a store without leases.
func NewLeases() *Leases { return &Leases{leases: map[leaseID]crm.Lease{}} }

func (s *Leases) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Leases) Acquire(_ context.Context, l crm.Lease) error {
	if err := s.call("Acquire"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := leaseID{l.Tenant, l.User, l.Entity}
	if cur, ok := s.leases[k]; ok && cur.Holder != l.Holder && !cur.Until.Before(s.now()) {
		return crm.LeaseBusy(l, cur.Holder)
	}
	s.leases[k] = l
	return nil
}

func (s *Leases) Release(_ context.Context, l crm.Lease) error {
	if err := s.call("Release"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := leaseID{l.Tenant, l.User, l.Entity}
	if cur, ok := s.leases[k]; ok && cur.Holder == l.Holder {
		delete(s.leases, k)
	}
	return nil
}

// Holder returns the import holding the lease of a user's entity, "" if
// none (an expired lease still counts until another import takes it).
func (s *Leases) Holder(tenant, user, entity string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leases[leaseID{tenant, user, entity}].Holder
}
