package apiclient

import (
	"context"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// RestorePoint is the table as it was before an import's first write.
type RestorePoint struct {
	Import string     `json:"import"`
	File   string     `json:"file"`
	Entity string     `json:"entity"`
	Status crm.Status `json:"status"`
	Time   time.Time  `json:"time"`
	// Kind is "export" (an export is in the bucket) or "point-in-time"
	// (only the time is recorded).
	Kind      string `json:"kind"`
	ExportARN string `json:"exportArn,omitempty"`
	Prefix    string `json:"prefix,omitempty"`
}

// RestorePointList is the answer of GET /restore-points.
type RestorePointList struct {
	RestorePoints []RestorePoint `json:"restorePoints"`
}

// RestorePoints answers the tenant's restore points, newest first (GET
// /restore-points; administrators only, 403 for the others).
func (c *Client) RestorePoints(ctx context.Context) (RestorePointList, error) {
	var out RestorePointList
	err := c.get(ctx, "/restore-points", nil, &out)
	return out, err
}
