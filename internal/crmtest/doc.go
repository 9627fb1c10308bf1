// Package crmtest holds in-memory doubles of the crm ports, for unit tests
// of the steps and the domain: the way upspin's storagetest.Memory() stands
// in for a storage backend. Each double is safe for concurrent use (a Map
// state runs users in parallel), keeps the semantics its adapter documents
// (a missing file is NotFound, an ended job refuses changes with a
// Conflict, a second workflow start under one name is not a start), and
// lets a test make the Nth call of a method fail, so that retries and
// partial failures can be exercised without a cloud.
package crmtest
