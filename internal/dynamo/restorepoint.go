package dynamo

import (
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// restorePointItem is crm.RestorePoint as the job stores it.
type restorePointItem struct {
	Time      time.Time `dynamodbav:"time"`
	ExportARN string    `dynamodbav:"export_arn,omitempty"`
	Prefix    string    `dynamodbav:"prefix,omitempty"`
}

func newRestorePointItem(r *crm.RestorePoint) *restorePointItem {
	if r == nil {
		return nil
	}
	return &restorePointItem{Time: r.Time.UTC(), ExportARN: r.ExportARN, Prefix: r.Prefix}
}

func (it *restorePointItem) restorePoint() *crm.RestorePoint {
	if it == nil {
		return nil
	}
	return &crm.RestorePoint{Time: it.Time, ExportARN: it.ExportARN, Prefix: it.Prefix}
}
