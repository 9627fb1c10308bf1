package api

import (
	"cmp"
	"context"
	"path"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// restorePointView is one restore point: the table as it was before an
// import's first write.
type restorePointView struct {
	// Import is the import it was taken for, with its file, entity and
	// status, so an administrator knows which one it comes before.
	Import string     `json:"import"`
	File   string     `json:"file"`
	Entity string     `json:"entity"`
	Status crm.Status `json:"status"`
	Time   time.Time  `json:"time"`
	// Kind is "export" (an export of the table is in the bucket, at
	// Prefix) or "point-in-time" (only the time: the export is made when
	// a restore asks for it).
	Kind      string `json:"kind"`
	ExportARN string `json:"exportArn,omitempty"`
	Prefix    string `json:"prefix,omitempty"`
}

// restorePointList is the answer of GET /restore-points.
type restorePointList struct {
	RestorePoints []restorePointView `json:"restorePoints"`
}

func restorePointOf(j crm.Job) *restorePointView {
	rp := j.RestorePoint
	if rp == nil {
		return nil
	}
	v := &restorePointView{Import: j.ID, File: path.Base(j.Key), Entity: j.Entity, Status: j.Status,
		Time: rp.Time, Kind: crm.RestorePointExport, ExportARN: rp.ExportARN, Prefix: rp.Prefix}
	if rp.ExportARN == "" {
		v.Kind = crm.RestorePointTimeOnly
	}
	return v
}

// listRestorePoints answers the tenant's restore points, newest first,
// from its imports' jobs. A restore point covers every user's records of
// the tenant, so only administrators see them.
func (h *Handler) listRestorePoints(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if !hasRole(req, Administrator) {
		return nil, crm.Errorf(crm.Refused, "only administrators may see restore points")
	}
	jobs, err := h.Jobs.List(ctx, tenant)
	if err != nil {
		return nil, err
	}
	list := restorePointList{RestorePoints: []restorePointView{}}
	for _, j := range jobs {
		if v := restorePointOf(j); v != nil {
			list.RestorePoints = append(list.RestorePoints, *v)
		}
	}
	slices.SortStableFunc(list.RestorePoints, func(a, b restorePointView) int { return cmp.Compare(b.Time.UnixNano(), a.Time.UnixNano()) })
	return list, nil
}
