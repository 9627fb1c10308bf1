package crmtest

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/crmimport/crm-import/internal/crm"
)

// Tenants is an in-memory crm.Tenants: each tenant's users, profile and
// saved import configurations. Its Put and Save methods are the DynamoDB
// adapter's, so a test seeds it as the end-to-end tests seed the table.
type Tenants struct {
	Faults
	mu       sync.Mutex
	users    map[string][]crm.User
	profiles map[string]crm.Profile
	configs  map[string]map[string][]byte
}

var _ crm.Tenants = (*Tenants)(nil)

// NewTenants returns a store without tenants.
func NewTenants() *Tenants {
	return &Tenants{users: map[string][]crm.User{}, profiles: map[string]crm.Profile{}, configs: map[string]map[string][]byte{}}
}

// PutUser adds a user of the tenant, or replaces the one with its ID.
func (s *Tenants) PutUser(tenant string, u crm.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.Fields = maps.Clone(u.Fields)
	users := s.users[tenant]
	if i := slices.IndexFunc(users, func(o crm.User) bool { return o.ID == u.ID }); i >= 0 {
		users[i] = u
		return
	}
	s.users[tenant] = append(users, u)
}

// PutProfile sets the tenant's import settings.
func (s *Tenants) PutProfile(tenant string, p crm.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profiles[tenant] = p
}

// SaveConfig stores an import configuration's JSON under a name, as the
// DynamoDB adapter does.
func (s *Tenants) SaveConfig(_ context.Context, tenant, name string, raw []byte) error {
	if err := s.call("SaveConfig"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.configs[tenant] == nil {
		s.configs[tenant] = map[string][]byte{}
	}
	s.configs[tenant][name] = bytes.Clone(raw)
	return nil
}

// ListConfigs returns the tenant's saved configurations sorted by name, as
// the table's sort key orders them.
func (s *Tenants) ListConfigs(_ context.Context, tenant string) ([]crm.SavedConfig, error) {
	if err := s.call("ListConfigs"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []crm.SavedConfig{}
	for _, name := range slices.Sorted(maps.Keys(s.configs[tenant])) {
		list = append(list, crm.SavedConfig{Name: name, JSON: bytes.Clone(s.configs[tenant][name])})
	}
	return list, nil
}

// DeleteConfig removes a saved configuration, NotFound with the DynamoDB
// adapter's message when there is none of that name.
func (s *Tenants) DeleteConfig(_ context.Context, tenant, name string) error {
	if err := s.call("DeleteConfig"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.configs[tenant][name]; !ok {
		return crm.Errorf(crm.NotFound, "there is no saved import configuration named %q", name)
	}
	delete(s.configs[tenant], name)
	return nil
}

// PutUsers is PutUser for each user, through the port.
func (s *Tenants) PutUsers(_ context.Context, tenant string, users []crm.User) error {
	if err := s.call("PutUsers"); err != nil {
		return err
	}
	for _, u := range users {
		s.PutUser(tenant, u)
	}
	return nil
}

func (s *Tenants) Users(_ context.Context, tenant string) ([]crm.User, error) {
	if err := s.call("Users"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.users[tenant]), nil
}

// Profile returns the zero Profile for a tenant that has none.
func (s *Tenants) Profile(_ context.Context, tenant string) (crm.Profile, error) {
	if err := s.call("Profile"); err != nil {
		return crm.Profile{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.profiles[tenant], nil
}

// Config returns a saved configuration, NotFound with the DynamoDB
// adapter's message when there is none of that name.
func (s *Tenants) Config(_ context.Context, tenant, name string) ([]byte, error) {
	if err := s.call("Config"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := s.configs[tenant][name]
	if !ok {
		return nil, crm.Errorf(crm.NotFound, "there is no saved import configuration named %q", name)
	}
	return bytes.Clone(raw), nil
}
