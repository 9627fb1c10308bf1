package crm

import (
	"context"
	"time"
)

// RestorePoint is the state of the table an import was about to change,
// taken before its first write: an export of the whole table to the
// bucket (ExportTableToPointInTime), or, in RestorePointTimeOnly mode, the
// time only, exported when a restore asks for it (point-in-time recovery
// keeps 35 days).
type RestorePoint struct {
	// Time is the point in time the restore point stands for.
	Time time.Time `json:"time"`
	// ExportARN and Prefix name the export and where it is in the bucket
	// (its data/ files are under Prefix/AWSDynamoDB/); both empty in
	// RestorePointTimeOnly mode.
	ExportARN string `json:"exportArn,omitempty"`
	Prefix    string `json:"prefix,omitempty"`
}

// How restore points are taken: the stack's RestorePointMode parameter.
const (
	// RestorePointExport exports the table before each import's first
	// write (billed per GB of table size on AWS).
	RestorePointExport = "export"
	// RestorePointTimeOnly records the time only.
	RestorePointTimeOnly = "point-in-time"
)

// RestorePointsPrefix is where the bucket keeps a tenant's restore points:
// restore-points/{tenant}/{importId}.
func RestorePointsPrefix(tenant, importID string) string {
	return "restore-points/" + tenant + "/" + importID
}

// ExportState is where an export stands, in DynamoDB's words.
type ExportState string

const (
	ExportInProgress ExportState = "IN_PROGRESS"
	ExportCompleted  ExportState = "COMPLETED"
	ExportFailed     ExportState = "FAILED"
)

// ExportStatus is what Exports.Status tells of an export.
type ExportStatus struct {
	State ExportState
	// Failure is DynamoDB's reason when the export FAILED.
	Failure string
}

// Exports exports the table to the bucket: the restore points.
type Exports interface {
	// Export starts an export of the table as it is at that moment, under
	// prefix in the bucket; it returns the export's ARN and time.
	Export(ctx context.Context, prefix string) (arn string, at time.Time, err error)
	// Status tells how the export stands; a missing one is NotFound.
	Status(ctx context.Context, arn string) (ExportStatus, error)
}
