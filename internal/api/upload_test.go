package api

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// uploadWorld is what POST /imports works on: acme's saved configurations,
// an empty job store, a signer, and a stack limit of 10 MiB.
type uploadWorld struct {
	jobs    *crmtest.Jobs
	files   *crmtest.Files
	tenants *crmtest.Tenants
	uploads *crmtest.Uploads
}

func newUploadWorld(t *testing.T) *uploadWorld {
	return &uploadWorld{jobs: crmtest.NewJobs(), files: crmtest.NewFiles(), tenants: configStore(t), uploads: crmtest.NewUploads()}
}

func (w *uploadWorld) handler() *Handler {
	return &Handler{Jobs: w.jobs, Files: w.files, Tenants: w.tenants, Uploads: w.uploads, Bucket: "uploads", Limits: crm.Limits{MaxUploadBytes: 10 << 20}}
}

// postRequest is POST /imports by a user of acme with the e-mail
// anna@acme.example and the groups claim as API Gateway writes it.
func postRequest(groups, body string) events.APIGatewayV2HTTPRequest {
	claims := tenantClaims("acme")
	claims[EmailClaim] = "anna@acme.example"
	if groups != "" {
		claims[GroupsClaim] = groups
	}
	req := request("POST /imports", "/imports", nil, claims)
	req.RequestContext.HTTP.Method = "POST"
	req.Body = body
	return req
}

func TestPostImportCreatesAnUploadingJobAndSignsOneKey(t *testing.T) {
	tests := []struct {
		name       string
		groups     string
		body       string
		wantRole   string
		wantConfig string
		wantInline bool
	}{
		{"the entity's defaults, by a plain user", "", `{"entity":"customers","fileName":"agents.xlsx","size":12345}`, User, "", false},
		{"a saved configuration, by a supervisor", "[supervisor]", `{"entity":"deals","config":"nightly-deals","fileName":"deals.csv","size":1}`, Supervisor, "nightly-deals", false},
		{"an inline configuration, by an administrator", "[administrator supervisor]", `{"entity":"Customers","inlineConfig":` + germanConfig + `,"fileName":"Kunden März.csv","size":0}`, Administrator, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newUploadWorld(t)
			resp, err := w.handler().Handle(context.Background(), postRequest(tt.groups, tt.body))
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("Handle() = %d %s, %v, want 201", resp.StatusCode, resp.Body, err)
			}
			var got createdImport
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatalf("answer %q: %v", resp.Body, err)
			}
			j, err := w.jobs.Get(context.Background(), "acme", got.Import.ID)
			if err != nil {
				t.Fatalf("Get(%s) = %v, want the job created", got.Import.ID, err)
			}
			var in createImport
			_ = json.Unmarshal([]byte(tt.body), &in)
			wantKey := "incoming/acme/" + j.Entity + "/" + j.ID + "/" + in.FileName
			if j.Status != crm.Uploading || j.Key != wantKey || j.By != "anna@acme.example" || j.Role != tt.wantRole ||
				j.Config != tt.wantConfig || j.InlineConfig != tt.wantInline || j.Bucket != "uploads" {
				t.Errorf("Get(%s) = %+v, want UPLOADING, key %s, by anna, role %s, config %q, inline %v", j.ID, j, wantKey, tt.wantRole, tt.wantConfig, tt.wantInline)
			}
			if !importIDForm.MatchString(j.ID) || got.Import.Status != crm.Uploading || got.Import.File != in.FileName {
				t.Errorf("import = %+v, want id imp-+26 hex, UPLOADING, file %s", got.Import, in.FileName)
			}
			reqs := w.uploads.Requests()
			if len(reqs) != 1 || reqs[0].Key != wantKey || reqs[0].MaxBytes != 10<<20 || reqs[0].Expires != UploadExpiry || reqs[0].Metadata[ImportIDMetadata] != j.ID {
				t.Errorf("PresignUpload() requests = %+v, want one for %s, 10 MiB, 15 minutes, the import id", reqs, wantKey)
			}
			if got.Upload.Method != "POST" || got.Upload.MaxBytes != 10<<20 || got.Upload.Fields["key"] != wantKey || got.Upload.ExpiresAt.IsZero() {
				t.Errorf("upload = %+v, want a POST of %s up to 10 MiB", got.Upload, wantKey)
			}
			inline := w.files.Data(crm.Work{Tenant: "acme", ImportID: j.ID}.Inline())
			if tt.wantInline != (inline != nil) || (inline != nil && canonical(t, string(inline)) != canonical(t, germanConfig)) {
				t.Errorf("inline configuration written = %q, want it only when sent", inline)
			}
		})
	}
}

func TestPostImportRefusesBeforeSigning(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		profile     crm.Profile
		wantStatus  int
		wantMessage string
	}{
		{"an unknown entity", `{"entity":"invoices","fileName":"a.csv","size":1}`, crm.Profile{}, 400, `unknown entity "invoices"`},
		{"a missing file name", `{"entity":"customers","size":1}`, crm.Profile{}, 400, "the file's name (fileName) is missing"},
		{"a file name with a folder", `{"entity":"customers","fileName":"../b/a.csv","size":1}`, crm.Profile{}, 400, `holds a folder`},
		{"a file name too long", `{"entity":"customers","fileName":"` + strings.Repeat("a", 250) + `.csv","size":1}`, crm.Profile{}, 400, "at most 200 are allowed"},
		{"a control character in the name", `{"entity":"customers","fileName":"a\u0007.csv","size":1}`, crm.Profile{}, 400, "control character"},
		{"a file over the stack's limit", `{"entity":"customers","fileName":"a.csv","size":12582912}`, crm.Profile{}, 400, "the file is 12 MB; one import may be at most 10 MB"},
		{"a file over the tenant's limit", `{"entity":"customers","fileName":"a.csv","size":1572864}`, crm.Profile{MaxUploadBytes: 1 << 20}, 400, "the file is 2 MB; one import may be at most 1 MB"},
		{"a negative size", `{"entity":"customers","fileName":"a.csv","size":-1}`, crm.Profile{}, 400, "is not a size"},
		{"a saved configuration that does not exist", `{"entity":"customers","config":"nope","fileName":"a.csv","size":1}`, crm.Profile{}, 400, `there is no saved configuration "nope"`},
		{"another tenant's configuration", `{"entity":"contacts","config":"contacts","fileName":"a.csv","size":1}`, crm.Profile{}, 400, `there is no saved configuration "contacts"`},
		{"a saved configuration of another entity", `{"entity":"customers","config":"nightly-deals","fileName":"a.csv","size":1}`, crm.Profile{}, 400, `saved configuration "nightly-deals" imports deals, not customers`},
		{"both a saved and an inline configuration", `{"entity":"customers","config":"customers-de","inlineConfig":{},"fileName":"a.csv","size":1}`, crm.Profile{}, 400, "not both"},
		{"an inline configuration with problems", `{"entity":"customers","inlineConfig":{"version":1,"entity":"customers","mode":"sometimes"},"fileName":"a.csv","size":1}`, crm.Profile{}, 400, "the configuration sent: "},
		{"an inline configuration of another entity", `{"entity":"deals","inlineConfig":` + germanConfig + `,"fileName":"a.csv","size":1}`, crm.Profile{}, 400, "the configuration sent imports customers, not deals"},
		{"a field the API does not know", `{"entity":"customers","fileName":"a.csv","size":1,"tenant":"globex"}`, crm.Profile{}, 400, "the request could not be read"},
		{"a tenant synchronised from elsewhere", `{"entity":"customers","fileName":"a.csv","size":1}`, crm.Profile{SyncedFrom: "Salesforce"}, 403, "synchronised from Salesforce"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newUploadWorld(t)
			w.tenants.PutProfile("acme", tt.profile)
			resp, err := w.handler().Handle(context.Background(), postRequest("[administrator]", tt.body))
			var e errorBody
			_ = json.Unmarshal([]byte(resp.Body), &e)
			if err != nil || resp.StatusCode != tt.wantStatus || !strings.Contains(e.Message, tt.wantMessage) {
				t.Errorf("Handle() = %d %s, %v, want %d naming %q", resp.StatusCode, resp.Body, err, tt.wantStatus, tt.wantMessage)
			}
			if jobs, _ := w.jobs.List(context.Background(), "acme"); len(jobs) != 0 || len(w.uploads.Requests()) != 0 || len(w.files.Keys("")) != 0 {
				t.Errorf("refused request left %d jobs, %d signed uploads, files %q, want none", len(jobs), len(w.uploads.Requests()), w.files.Keys(""))
			}
		})
	}
}

func TestPostImportOfTheUsersIsForAdministratorsOnly(t *testing.T) {
	tests := []struct {
		groups     string
		wantStatus int
	}{
		{"[administrator]", 201},
		{"[supervisor]", 403},
		{"", 403},
	}
	for _, tt := range tests {
		t.Run("groups "+tt.groups, func(t *testing.T) {
			w := newUploadWorld(t)
			resp, err := w.handler().Handle(context.Background(), postRequest(tt.groups, `{"entity":"users","fileName":"staff.csv","size":100}`))
			if err != nil || resp.StatusCode != tt.wantStatus {
				t.Fatalf("POST /imports of users by %q = %d %s, %v, want %d", tt.groups, resp.StatusCode, resp.Body, err, tt.wantStatus)
			}
			if tt.wantStatus == 403 && !strings.Contains(resp.Body, "only an administrator can import your CRM's users") {
				t.Errorf("POST /imports of users by %q = %s, want the reason in words", tt.groups, resp.Body)
			}
		})
	}
}

// importIDForm is the form of every import id.
var importIDForm = regexp.MustCompile(`^imp-[0-9a-f]{26}$`)
