package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
)

// Paging of a report's row errors.
const (
	DefaultErrorPage = 100
	MaxErrorPage     = 1000
)

// reportView is the check report as the API shows it: what the reader
// detected, the mapping, and one page of the row errors.
type reportView struct {
	Format string `json:"format"`
	// Locale is how dates, numbers and phone numbers were read;
	// LocaleNote says where it came from when the column titles gave it.
	Locale         string           `json:"locale,omitempty"`
	LocaleNote     string           `json:"localeNote,omitempty"`
	Encoding       string           `json:"encoding,omitempty"`
	Delimiter      string           `json:"delimiter,omitempty"`
	Sheet          string           `json:"sheet,omitempty"`
	Rows           int              `json:"rows"`
	RowsWithErrors int              `json:"rowsWithErrors"`
	Mapping        []mapping.Column `json:"mapping"`
	Unmapped       []string         `json:"unmapped"`
	Warnings       []string         `json:"warnings"`
	Missing        []string         `json:"missing"`
	// Preset says which other CRM's export the file was recognised as and
	// the settings that follow (package preset).
	Preset string         `json:"preset,omitempty"`
	Errors []crm.RowError `json:"errors"`
	// Total is how many row errors the report keeps, the ones pages walk
	// through; ErrorCount how many the file has, which is more when the
	// checker stopped keeping them (check.DefaultMaxErrors).
	Total      int  `json:"total"`
	ErrorCount int  `json:"errorCount"`
	Offset     int  `json:"offset"`
	Limit      int  `json:"limit"`
	NextOffset *int `json:"nextOffset,omitempty"` // absent on the last page
}

// getReport answers an import's check report, its row errors paged with
// ?offset= and ?limit=.
func (h *Handler) getReport(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	offset, limit, err := pageOf(req.QueryStringParameters)
	if err != nil {
		return nil, err
	}
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	var rep check.Report
	err = h.readJSON(ctx, work(tenant, j).Report(), &rep)
	if crm.KindOf(err) == crm.NotFound {
		if !j.Status.Terminal() {
			return nil, crm.Wrap(err, crm.Conflict, "the import is still %s: its check report is written once its file has been read", j.Status)
		}
		return nil, crm.Wrap(err, crm.NotFound, "import %s has no check report: it ended before its file was read%s", j.ID, because(j))
	}
	if err != nil {
		return nil, err
	}
	v := reportView{
		Format: rep.File.Format, Locale: rep.Locale, LocaleNote: rep.LocaleNote(), Encoding: rep.File.Encoding, Delimiter: rep.File.Delimiter, Sheet: rep.File.Sheet,
		Rows: rep.Rows, RowsWithErrors: rep.RowsWithErrors,
		Mapping: nonNil(rep.Mapping), Unmapped: nonNil(rep.Unmapped), Warnings: nonNil(rep.Warnings), Missing: nonNil(rep.Missing), Preset: rep.Preset,
		Total: len(rep.Errors), ErrorCount: max(rep.ErrorCount, len(rep.Errors)), Offset: offset, Limit: limit,
	}
	lo, hi := min(offset, v.Total), min(offset+limit, v.Total)
	v.Errors = nonNil(rep.Errors[lo:hi])
	if hi < v.Total {
		v.NextOffset = &hi
	}
	return v, nil
}

// pageOf reads ?offset= and ?limit=. A limit past MaxErrorPage is refused
// rather than cut, so a client never mistakes a short page for the end.
func pageOf(q map[string]string) (offset, limit int, err error) {
	offset, limit = 0, DefaultErrorPage
	if s, ok := q["offset"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, crm.Errorf(crm.Invalid, "offset must be a whole number, 0 or more, not %q", s)
		}
		offset = n
	}
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxErrorPage {
			return 0, 0, crm.Errorf(crm.Invalid, "limit must be a whole number from 1 to %d, not %q", MaxErrorPage, s)
		}
		limit = n
	}
	return offset, limit, nil
}

// callersJob reads the import the path names under the caller's tenant
// only, so another tenant's id is as missing as one that never existed.
func (h *Handler) callersJob(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (crm.Job, error) {
	id := req.PathParameters["id"]
	if id == "" {
		return crm.Job{}, crm.Errorf(crm.Invalid, "the import id is missing")
	}
	j, err := h.Jobs.Get(ctx, tenant, id)
	if crm.KindOf(err) == crm.NotFound {
		return crm.Job{}, crm.Wrap(err, crm.NotFound, "import %s does not exist", id)
	}
	return j, err
}

// work names the job's work files under the caller's tenant, whatever
// the job record says, so no answer can read another tenant's files.
func work(tenant string, j crm.Job) crm.Work { return crm.Work{Tenant: tenant, ImportID: j.ID} }

// readJSON decodes a small work file (a report, a summary).
func (h *Handler) readJSON(ctx context.Context, key string, v any) error {
	body, err := h.Files.Open(ctx, key)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return crm.Wrap(fmt.Errorf("read %s: %w", key, err), crm.Internal, "work file %s is not valid JSON", key)
	}
	return nil
}

// because says why a job ended, when it says.
func because(j crm.Job) string {
	if j.Reason == "" {
		return ""
	}
	return " (" + j.Reason + ")"
}

// nonNil keeps an empty list an empty list in JSON, not null, so a page
// need not tell "none" from "not given".
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
