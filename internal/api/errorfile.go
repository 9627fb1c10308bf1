package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// MaxErrorFileBytes is the largest error file the API sends. A Lambda
// answer is at most 6 MB, and a base64 body takes 4/3 of the bytes.
const MaxErrorFileBytes = 4 << 20

// getErrorFile answers an import's error file (errors.csv, the rows not
// imported) as a CSV download.
func (h *Handler) getErrorFile(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	j, err := h.callersJob(ctx, tenant, req)
	if err != nil {
		return nil, err
	}
	if j.ErrorFile == "" {
		switch j.Status {
		case crm.Succeeded:
			return nil, crm.Errorf(crm.NotFound, "the import has no error file: every row was imported")
		case crm.Failed:
			return nil, crm.Errorf(crm.NotFound, "the import has no error file: it failed before its rows were reported%s", because(j))
		}
		return nil, crm.Errorf(crm.Conflict, "the import is still %s: its error file is written when it ends", j.Status)
	}
	body, err := h.Files.Open(ctx, work(tenant, j).ErrorFile())
	if err != nil {
		if crm.KindOf(err) == crm.NotFound {
			// Work files are kept WorkFileRetentionDays, the job longer.
			return nil, crm.Wrap(err, crm.NotFound, "the error file of import %s is no longer kept", j.ID)
		}
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, MaxErrorFileBytes+1))
	if err != nil {
		return nil, crm.Wrap(fmt.Errorf("read error file of %s: %w", j.ID, err), crm.Unavailable, "the error file could not be read; please try again")
	}
	if len(data) > MaxErrorFileBytes {
		return nil, crm.Errorf(crm.Refused, "the error file of import %s is larger than %d MiB, more than the API can send at once", j.ID, MaxErrorFileBytes>>20)
	}
	return download(data, crm.CSV, "errors-"+j.ID+".csv"), nil
}

// download answers data as a file to save, with the CORS headers of every
// answer. The v2 payload carries a string: bytes that are not UTF-8 go
// base64, which API Gateway decodes.
func download(data []byte, contentType, name string) events.APIGatewayV2HTTPResponse {
	resp := respond(200, nil)
	resp.Headers["Content-Type"] = contentType
	resp.Headers["Content-Disposition"] = mime.FormatMediaType("attachment", map[string]string{"filename": name})
	// A page on another origin may read the file's name only when told.
	resp.Headers["Access-Control-Expose-Headers"] = "Content-Disposition"
	if utf8.Valid(data) {
		resp.Body = string(data)
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(data), true
	}
	return resp
}
