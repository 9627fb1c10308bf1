// Package api is the tenant's HTTP API: the handler behind API Gateway's
// HTTP API (payload format 2.0), on the crm ports. It is an edge: the one
// place where the domain's error kinds become HTTP statuses.
//
// The caller's tenant comes only from the claims of the token API Gateway's
// JWT authorizer has verified (custom:tenant), never from the path, the
// body or a header, so one tenant cannot name another's data.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/undo"
)

// TenantClaim is the ID token's claim that names the caller's tenant: the
// user pool's custom attribute "tenant".
const TenantClaim = "custom:tenant"

// Handler answers the API's routes.
type Handler struct {
	Jobs    crm.Jobs
	Files   crm.Files // the work files: reports, summaries, error files
	Tenants crm.Tenants
	Log     *slog.Logger

	// Uploads (upload.go): the signer of presigned uploads, the bucket
	// they go to, and the stack's limits (a tenant's profile overrides
	// them).
	Uploads crm.Uploads
	Bucket  string
	Limits  crm.Limits

	// Workflow completes the waits of attended imports (wizard.go).
	Workflow crm.Workflow

	// Undo (undo.go): the record store, the bus ImportUndone goes to, and
	// how long after its end an import can be undone.
	Records       undo.Store
	Notifier      crm.Notifier
	UndoRetention time.Duration
}

// route answers one route for the caller's tenant.
type route func(h *Handler, ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error)

// routes are keyed by API Gateway's route key, which names the route the
// request matched (template.yaml declares the same ones).
var routes = map[string]route{
	"GET /imports":      (*Handler).listImports,
	"GET /imports/{id}": (*Handler).getImport,
	// Creating an import and its upload (upload.go).
	"POST /imports": (*Handler).postImport,
	// Reading an import's work files (reports.go, summary.go, errorfile.go).
	"GET /imports/{id}/report":  (*Handler).getReport,
	"GET /imports/{id}/summary": (*Handler).getSummary,
	"GET /imports/{id}/errors":  (*Handler).getErrorFile,
	// Likely duplicates among the import's records (duplicates.go).
	"GET /imports/{id}/duplicates": (*Handler).getDuplicates,

	// The wizard: an attended import's waits (wizard.go, preview.go).
	"GET /imports/{id}/users":      (*Handler).getUsers,
	"POST /imports/{id}/selection": (*Handler).postSelection,
	"GET /imports/{id}/preview":    (*Handler).getPreview,
	"POST /imports/{id}/decision":  (*Handler).postDecision,
	"POST /imports/{id}/resume":    (*Handler).postResume,
	"GET /imports/{id}/results":    (*Handler).getResults,

	// Undo of one import (undo.go).
	"POST /imports/{id}/undo": (*Handler).postUndo,

	// Saved configurations (configs.go; roles.go says who may change them).
	"GET /configs":           (*Handler).listConfigs,
	"GET /configs/{name}":    (*Handler).getConfig,
	"PUT /configs/{name}":    (*Handler).putConfig,
	"DELETE /configs/{name}": (*Handler).deleteConfig,

	// Downloads (downloads.go): a saved configuration as a file, a template.
	"GET /configs/{name}/file": (*Handler).getConfigFile,
	"GET /templates/{entity}":  (*Handler).getTemplate,

	// Restore points (restorepoints.go), administrators only.
	"GET /restore-points": (*Handler).listRestorePoints,
}

// Handle answers one request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	r, ok := routes[req.RouteKey]
	if !ok {
		return h.fail(req, crm.Errorf(crm.NotFound, "there is no %s %s", req.RequestContext.HTTP.Method, req.RawPath)), nil
	}
	tenant, err := tenantOf(req)
	if err != nil {
		return h.fail(req, err), nil
	}
	body, err := r(h, ctx, tenant, req)
	if err != nil {
		return h.fail(req, err), nil
	}
	if resp, ok := body.(events.APIGatewayV2HTTPResponse); ok {
		return resp, nil // a route that answers other than JSON (a download)
	}
	return respond(200, body), nil
}

// tenantOf reads the tenant from the verified token's claims.
func tenantOf(req events.APIGatewayV2HTTPRequest) (string, error) {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil || a.JWT.Claims[TenantClaim] == "" {
		return "", crm.Errorf(crm.Refused, "your sign-in names no tenant: ask your administrator to set the tenant of your user")
	}
	return a.JWT.Claims[TenantClaim], nil
}
