// Package dynamo is the DynamoDB adapter: one table holds the users'
// records (crm.Records), the import jobs (crm.Jobs) and the tenants' users,
// settings and saved configurations (crm.Tenants). It speaks crm types
// only, and turns the SDK's errors into crm kinds at its boundary: a
// throttle or a timeout is crm.Unavailable, a missing item crm.NotFound, a
// job that has already ended crm.Conflict, anything else crm.Internal.
//
// Layout of the table:
//
//	pk = T#{tenant}#U#{user}     sk = {ENTITY}#{id}                a user's records
//	pk = T#{tenant}#IMPORT#{id}  sk = BEFORE#{user}#{ENTITY}#{id}  before-images, for undo
//	pk = T#{tenant}              sk = IMPORT#{id}                  import jobs
//	                             sk = USER#{id}                    the tenant's users
//	                             sk = CONFIG#{name}                saved import configurations
//	                             sk = PROFILE                      the tenant's import settings
//
// Index OpenJobs (sparse, keys only): open_pk = OPEN, open_since = the
// creation time, on the jobs that have not ended.
package dynamo
