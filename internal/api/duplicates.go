package api

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/duplicates"
	"github.com/crmimport/crm-import/internal/schema"
)

// duplicatesView answers GET /imports/{id}/duplicates: the likely
// duplicates among the import's records and the tenant's others, one page
// of pairs (?offset=, ?limit=).
type duplicatesView struct {
	ImportID   string            `json:"importId"`
	Entity     string            `json:"entity"`
	Checked    int               `json:"checked"`
	Total      int               `json:"total"`
	WithinFile int               `json:"withinFile"`
	Existing   int               `json:"existing"`
	Pairs      []duplicates.Pair `json:"pairs"`
	// Common are values so many existing records share that only some of
	// them were paired (a switchboard number).
	Common []duplicates.Common `json:"common"`
	// Listed is how many pairs pages walk through (at most
	// duplicates.MaxPairs); Total counts them all.
	Listed     int  `json:"listed"`
	Offset     int  `json:"offset"`
	Limit      int  `json:"limit"`
	NextOffset *int `json:"nextOffset,omitempty"` // absent on the last page
}

// getDuplicates answers an ended import's duplicates report. It pairs
// records of every user of the tenant, so only administrators and
// supervisors, who see every user's records, may read it.
func (h *Handler) getDuplicates(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if !hasRole(req, Administrator, Supervisor) {
		return nil, crm.Errorf(crm.Refused, "only administrators and supervisors see the duplicates report: it compares every user's records")
	}
	offset, limit, err := pageOf(req.QueryStringParameters)
	if err != nil {
		return nil, err
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	if !j.Status.Terminal() {
		return nil, crm.Errorf(crm.Conflict, "the import is still %s: duplicates are looked for when it ends", j.Status)
	}
	if j.Entity == schema.Users.Name {
		return nil, crm.Errorf(crm.NotFound, "import %s wrote the user directory, which is not checked for duplicates", j.ID)
	}
	var rep duplicates.Report
	err = h.readJSON(ctx, work(tenant, j).Duplicates(), &rep)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.NotFound, "import %s has no duplicates report: it ended %s before its records were written%s, or they could not be looked for in the time its last step had", j.ID, j.Status, because(j))
	}
	if err != nil {
		return nil, err
	}
	v := duplicatesView{ImportID: j.ID, Entity: rep.Entity, Checked: rep.Checked, Total: rep.Total, WithinFile: rep.WithinFile,
		Existing: rep.Existing, Common: nonNil(rep.Common), Listed: len(rep.Pairs), Offset: offset, Limit: limit}
	lo, hi := min(offset, v.Listed), min(offset+limit, v.Listed)
	v.Pairs = nonNil(rep.Pairs[lo:hi])
	if hi < v.Listed {
		v.NextOffset = &hi
	}
	return v, nil
}
