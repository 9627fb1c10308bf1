// Package crm is the domain of crm-import: the import job and its changes,
// the tenant's users and profile, the row as it travels between the steps,
// the stored record, the work files one import keeps, the one error type,
// and the ports the pipeline needs from the outside world (files, jobs,
// tenants, records, workflow, notifier).
//
// It imports no AWS SDK and no Lambda package, and its types carry no
// storage tags: adapters (internal/bucket, internal/dynamo,
// internal/workflow, internal/notify) speak these types and turn their
// service's errors into this package's kinds. In-memory doubles of every
// port are in internal/crmtest.
package crm
