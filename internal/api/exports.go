package api

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/spreadsheet"
)

// RecordQuery reads one user's records of an entity (crm.Records.Query).
type RecordQuery interface {
	Query(ctx context.Context, tenant, user, entity string) ([]crm.Record, error)
}

// exportTTL is how long an export's download link works.
const exportTTL = 15 * time.Minute

// exportView answers GET /exports/{entity}: where to download the file.
type exportView struct {
	Entity    string    `json:"entity"`
	Format    string    `json:"format"`
	FileName  string    `json:"fileName"`
	Records   int       `json:"records"`
	Users     int       `json:"users"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// getExport writes the tenant's records of an entity (?user= one user, by
// id or e-mail; all users when absent) as ?format= csv, xlsx or ods, titled
// in ?lang=, with the fields ?config= (a saved configuration) adds, to the
// bucket, and answers a link to download it. Its first
// column is the record's own id (schema.RecordIDTitle): edited and uploaded
// again, the file updates these records without a configuration. A plain
// user exports only their own records.
func (h *Handler) getExport(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	e, err := schema.Lookup(req.PathParameters["entity"])
	if err != nil {
		return nil, err
	}
	if name := req.QueryStringParameters["config"]; name != "" {
		// The fields a saved configuration adds are exported too.
		if e, err = h.configSchema(ctx, tenant, name, e); err != nil {
			return nil, err
		}
	}
	if e.Name == schema.Users.Name {
		return nil, crm.Errorf(crm.Invalid, "the user directory is not exported here: export an entity of records, such as customers")
	}
	q := req.QueryStringParameters
	format := cmp.Or(q["format"], spreadsheet.XLSX)
	if !slices.Contains(spreadsheet.Formats, format) {
		return nil, crm.Errorf(crm.Invalid, "unknown format %q: choose %s", format, strings.Join(spreadsheet.Formats, ", "))
	}
	lang := schema.Lang(cmp.Or(q["lang"], string(schema.EN)))
	if !slices.Contains(schema.Langs, lang) || lang == schema.Zoho {
		return nil, crm.Errorf(crm.Invalid, "unknown language %q: choose en, de, fr, it, es, pt, pl or sv", lang)
	}
	users, err := h.exportUsers(ctx, tenant, req, q["user"])
	if err != nil {
		return nil, err
	}

	dir, err := os.MkdirTemp("", "export-")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer os.RemoveAll(dir)
	name := fmt.Sprintf("%s-%s.%s", e.Name, time.Now().UTC().Format("20060102-150405"), format)
	path := filepath.Join(dir, name)
	n, err := h.writeExport(ctx, tenant, e, lang, users, format, path)
	if err != nil {
		return nil, err
	}
	key := crm.ExportsPrefix + tenant + "/" + newImportID()[4:] + "/" + name
	if err := h.Files.PutFile(ctx, key, path, spreadsheet.ContentType[format]); err != nil {
		return nil, err
	}
	url, expires, err := h.Uploads.PresignDownload(ctx, key, name, exportTTL)
	if err != nil {
		return nil, err
	}
	return exportView{Entity: e.Name, Format: format, FileName: name, Records: n, Users: len(users), URL: url, ExpiresAt: expires}, nil
}

// configSchema is e with the fields the tenant's saved configuration name
// adds to it.
func (h *Handler) configSchema(ctx context.Context, tenant, name string, e *schema.Entity) (*schema.Entity, error) {
	raw, err := h.Tenants.Config(ctx, tenant, name)
	if err != nil {
		return nil, err
	}
	cfg, err := parseSaved(name, raw, e.Name)
	if err != nil {
		return nil, err
	}
	return cfg.Schema()
}

// exportUsers are the users whose records the caller exports.
func (h *Handler) exportUsers(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest, want string) ([]crm.User, error) {
	all, err := h.Tenants.Users(ctx, tenant)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b crm.User) int { return cmp.Compare(a.Email, b.Email) })
	if !hasRole(req, Administrator, Supervisor) {
		email := claimOf(req, "email")
		for _, u := range all {
			if email == "" || !strings.EqualFold(u.Email, email) {
				continue
			}
			if want != "" && want != u.ID && !strings.EqualFold(want, u.Email) {
				return nil, crm.Errorf(crm.Refused, "you may export only your own records (as %s): only administrators and supervisors export other users'", u.Email)
			}
			return []crm.User{u}, nil
		}
		return nil, crm.Errorf(crm.Refused, "your sign-in (%s) is not one of your CRM's users, so you have no records to export: ask an administrator to add you to the users", email)
	}
	if want == "" {
		return all, nil
	}
	for _, u := range all {
		if u.ID == want || strings.EqualFold(u.Email, want) {
			return []crm.User{u}, nil
		}
	}
	return nil, crm.Errorf(crm.NotFound, "%q is not one of your CRM's users", want)
}

// writeExport writes the users' records, one user's at a time, to path,
// and returns how many it wrote. The columns are the record's id, its
// user's e-mail (the agent column an import assigns by), and the entity's
// fields, titled in lang.
func (h *Handler) writeExport(ctx context.Context, tenant string, e *schema.Entity, lang schema.Lang, users []crm.User, format, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	w, err := spreadsheet.New(format, f, e.Name)
	if err != nil {
		return 0, err
	}
	var fields []schema.Field
	header := []string{schema.RecordIDTitle}
	agent, _ := schema.Customers.Field("agent_email")
	header = append(header, agent.Title(lang))
	for _, fl := range e.Fields {
		if fl.Name == "agent_email" || fl.Name == "agent_number" || fl.Name == schema.RecordID {
			continue
		}
		fields = append(fields, fl)
		header = append(header, fl.Title(lang))
	}
	if err := w.Write(header); err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		recs, err := h.Export.Query(ctx, tenant, u.ID, e.Name)
		if err != nil {
			return n, err
		}
		slices.SortFunc(recs, func(a, b crm.Record) int { return cmp.Compare(a.ID, b.ID) })
		for _, r := range recs {
			row := []string{r.ID, u.Email}
			for _, fl := range fields {
				row = append(row, r.Fields[fl.Name])
			}
			if err := w.Write(row); err != nil {
				return n, err
			}
			n++
		}
	}
	if err := w.Close(); err != nil {
		return n, err
	}
	return n, f.Close()
}
