package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/template"
)

// XLSX is the content type of a workbook.
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// getConfigFile answers a saved configuration as a file to save, as the
// tenant wrote it; PUT /configs/{name} with the file's bytes uploads it.
func (h *Handler) getConfigFile(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	name, err := configNameOf(req)
	if err != nil {
		return nil, err
	}
	raw, err := h.Tenants.Config(ctx, tenant, name)
	if err != nil {
		return nil, err
	}
	return download(raw, crm.JSON, name+".json"), nil
}

// getTemplate answers the template of an entity, as `crmimport template`
// makes it offline: ?lang= (en by default) and ?format=xlsx (default) or
// csv (the title row and the example row).
func (h *Handler) getTemplate(_ context.Context, _ string, req events.APIGatewayV2HTTPRequest) (any, error) {
	e, err := schema.Lookup(req.PathParameters["entity"])
	if err != nil {
		return nil, err
	}
	lang := schema.EN
	if s := req.QueryStringParameters["lang"]; s != "" {
		lang = schema.Lang(s)
		if !slices.Contains(schema.Langs, lang) || lang == schema.Zoho {
			return nil, crm.Errorf(crm.Invalid, "unknown language %q: choose en, de, fr, it, es, pt, pl or sv", s)
		}
	}
	opts := template.Options{Lang: lang}
	switch format := req.QueryStringParameters["format"]; format {
	case "", "xlsx":
		var buf bytes.Buffer
		if err := template.Write(&buf, e, opts); err != nil {
			return nil, err
		}
		return download(buf.Bytes(), XLSX, e.Name+"-"+string(lang)+".xlsx"), nil
	case "csv":
		data, err := templateCSV(e, opts)
		if err != nil {
			return nil, err
		}
		return download(data, crm.CSV, e.Name+"-"+string(lang)+".csv"), nil
	default:
		return nil, crm.Errorf(crm.Invalid, "unknown format %q: choose xlsx or csv", format)
	}
}

// templateCSV is the template's rows as CSV, read from the workbook the
// XLSX template is, so both give the same titles and example.
func templateCSV(e *schema.Entity, opts template.Options) ([]byte, error) {
	f, err := template.Build(e, opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		return nil, fmt.Errorf("read %s template: %w", e.Name, err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("write %s template: %w", e.Name, err)
	}
	return buf.Bytes(), nil
}
