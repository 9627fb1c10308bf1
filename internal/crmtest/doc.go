// Package crmtest holds in-memory doubles of the crm ports, for unit tests
// of the steps and the domain: the way upspin's storagetest.Memory() stands
// in for a storage backend. Each double is safe for concurrent use (a Map
// state runs users in parallel) and keeps the semantics its adapter
// documents: a missing file is NotFound, an ended job refuses changes with
// a Conflict, a second workflow start under one name is not a start.
//
// Files, Jobs, Tenants, Workflow and Notifier embed Faults, so a test can
// make the Nth call of a method fail (a crm.Unavailable, say) and see a
// retry or a partial failure without a cloud; Records has AfterCurrent to
// change records while an import runs.
package crmtest
