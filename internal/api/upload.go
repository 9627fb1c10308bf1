package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/steps"
)

// EmailClaim is the ID token's claim with the caller's e-mail: the user an
// import by a plain user is assigned to.
const EmailClaim = "email"

// UploadExpiry is how long a presigned upload may be used.
const UploadExpiry = 15 * time.Minute

// ImportIDMetadata is the upload's metadata entry (x-amz-meta-import-id)
// the policy fixes to the import the API created.
const ImportIDMetadata = "import-id"

// maxFileName bounds an uploaded file's name: it is the last segment of an
// S3 key (1,024 bytes in all) and is shown in every list of imports.
const maxFileName = 200

// createImport is the body of POST /imports.
type createImport struct {
	Entity       string          `json:"entity"`
	Config       string          `json:"config,omitempty"`
	InlineConfig json.RawMessage `json:"inlineConfig,omitempty"`
	FileName     string          `json:"fileName"`
	Size         int64           `json:"size"`
}

// uploadView is how the tenant's client uploads the file: a multipart
// POST to URL with every field, then the file as the last part, "file".
type uploadView struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Fields    map[string]string `json:"fields"`
	MaxBytes  int64             `json:"maxBytes"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// createdImport is the answer of POST /imports.
type createdImport struct {
	Import importView `json:"import"`
	Upload uploadView `json:"upload"`
}

// postImport creates an import waiting for its file (UPLOADING) and
// answers a presigned POST for exactly one key under the tenant's prefix,
// incoming/{tenant}/{entity}/{importId}/{fileName}, at most the tenant's
// upload limit. Everything the tenant could get wrong is checked here,
// before a byte is uploaded.
func (h *Handler) postImport(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	raw, err := bodyOf(req)
	if err != nil {
		return nil, err
	}
	var in createImport
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, crm.Errorf(crm.Invalid, "the request could not be read: send JSON with entity, fileName and size (%s)", err)
	}
	entity, err := schema.Lookup(in.Entity)
	if err != nil {
		return nil, err
	}
	if entity.Name == schema.Users.Name && !hasRole(req, Administrator) {
		return nil, crm.Errorf(crm.Refused, "%s", steps.DirectoryRefusal)
	}
	if err := checkFileName(in.FileName); err != nil {
		return nil, err
	}
	job := crm.Job{
		Tenant: tenant, ID: newImportID(), Entity: entity.Name, Bucket: h.Bucket, Status: crm.Uploading,
		By: claimOf(req, EmailClaim), Role: roleOf(req),
	}
	job.Key = crm.IncomingPrefix + tenant + "/" + entity.Name + "/" + job.ID + "/" + in.FileName
	inline, err := h.chooseConfig(ctx, tenant, entity.Name, in, &job)
	if err != nil {
		return nil, err
	}
	profile, err := h.Tenants.Profile(ctx, tenant)
	if err != nil {
		return nil, err
	}
	if profile.SyncedFrom != "" {
		return nil, crm.Errorf(crm.Refused,
			"your CRM data is synchronised from %s, so it cannot be imported here: import in %s instead", profile.SyncedFrom, profile.SyncedFrom)
	}
	limit := profile.Limits(h.Limits).MaxUploadBytes
	if in.Size < 0 {
		return nil, crm.Errorf(crm.Invalid, "the file's size %d is not a size: give it in bytes", in.Size)
	}
	if err := steps.CheckSize(in.Size, limit); err != nil {
		return nil, crm.Wrap(err, crm.Invalid, "%s", crm.Message(err))
	}
	if inline != nil {
		work := crm.Work{Tenant: tenant, ImportID: job.ID}
		if err := h.Files.Put(ctx, work.Inline(), inline, crm.JSON); err != nil {
			return nil, err
		}
	}
	form, err := h.Uploads.PresignUpload(ctx, crm.UploadRequest{
		Key: job.Key, MaxBytes: limit, Expires: UploadExpiry, Metadata: map[string]string{ImportIDMetadata: job.ID},
	})
	if err != nil {
		return nil, err
	}
	if _, err := h.Jobs.Create(ctx, job); err != nil {
		return nil, err
	}
	created, err := h.Jobs.Get(ctx, tenant, job.ID)
	if err != nil {
		return nil, err
	}
	return withStatus(201, createdImport{
		Import: viewOf(created),
		Upload: uploadView{URL: form.URL, Method: "POST", Fields: form.Fields, MaxBytes: limit, ExpiresAt: form.ExpiresAt},
	}), nil
}

// chooseConfig checks the configuration the request names and records
// the choice on the job: a saved one by name, or an inline one, returned
// to be written with the import's work files.
func (h *Handler) chooseConfig(ctx context.Context, tenant, entity string, in createImport, job *crm.Job) ([]byte, error) {
	hasInline := len(in.InlineConfig) > 0 && string(in.InlineConfig) != "null"
	switch {
	case in.Config != "" && hasInline:
		return nil, crm.Errorf(crm.Invalid, "name a saved configuration (config) or send one (inlineConfig), not both")
	case in.Config != "":
		name, err := checkConfigName(in.Config)
		if err != nil {
			return nil, err
		}
		raw, err := h.Tenants.Config(ctx, tenant, name)
		if crm.KindOf(err) == crm.NotFound {
			return nil, crm.Wrap(err, crm.Invalid, "there is no saved configuration %q: save it first, or choose another", name)
		}
		if err != nil {
			return nil, err
		}
		if _, err := parseSaved(name, raw, entity); err != nil {
			return nil, err
		}
		job.Config = name
		return nil, nil
	case hasInline:
		cfg, err := config.Parse(in.InlineConfig)
		if err != nil {
			return nil, crm.Wrap(err, crm.Invalid, "the configuration sent: %s", crm.Message(err))
		}
		if cfg.Entity != entity {
			return nil, crm.Errorf(crm.Invalid, "the configuration sent imports %s, not %s", cfg.Entity, entity)
		}
		job.InlineConfig = true
		return in.InlineConfig, nil
	}
	return nil, nil
}

// checkFileName accepts a file's base name: it becomes the last segment of
// the upload's key, so a path, a control character or a name longer than
// a key may hold is refused in words.
func checkFileName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return crm.Errorf(crm.Invalid, "the file's name (fileName) is missing")
	case !utf8.ValidString(name):
		return crm.Errorf(crm.Invalid, "the file's name is not valid text")
	case len(name) > maxFileName:
		return crm.Errorf(crm.Invalid, "the file's name is %d bytes long: at most %d are allowed; rename the file", len(name), maxFileName)
	case strings.ContainsAny(name, `/\`):
		return crm.Errorf(crm.Invalid, "the file's name %q holds a folder: give the file's name alone", name)
	case name == "." || name == "..":
		return crm.Errorf(crm.Invalid, "%q is not a file's name", name)
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return crm.Errorf(crm.Invalid, "the file's name %q holds a control character: rename the file", name)
	}
	return nil
}

// newImportID is a random import id in the form crm.ImportID derives
// from an object: "imp-" and 26 hex digits.
func newImportID() string {
	b := make([]byte, 13)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "imp-" + hex.EncodeToString(b)
}

// claimOf reads one claim of the verified token.
func claimOf(req events.APIGatewayV2HTTPRequest, name string) string {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil {
		return ""
	}
	return a.JWT.Claims[name]
}

// roleOf is the caller's highest role: administrator, supervisor, or user
// for anyone in neither group.
func roleOf(req events.APIGatewayV2HTTPRequest) string {
	switch {
	case hasRole(req, Administrator):
		return Administrator
	case hasRole(req, Supervisor):
		return Supervisor
	}
	return User
}

// parseSaved reads the saved configuration name (its JSON raw), which must
// import entity; what is wrong is crm.Invalid, naming the configuration.
func parseSaved(name string, raw []byte, entity string) (*config.Config, error) {
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, crm.Wrap(err, crm.Invalid, "saved configuration %q: %s", name, crm.Message(err))
	}
	if cfg.Entity != entity {
		return nil, crm.Errorf(crm.Invalid, "saved configuration %q imports %s, not %s", name, cfg.Entity, entity)
	}
	return cfg, nil
}
