package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

// maxConfigName bounds a configuration's name: it travels in a URL path
// and in an upload's x-amz-meta-config header.
const maxConfigName = 64

// configName is the alphabet of a configuration's name: safe in a URL
// path, an S3 metadata header and a DynamoDB sort key alike.
var configName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// configSummary is one saved configuration in GET /configs.
type configSummary struct {
	Name   string   `json:"name"`
	Entity string   `json:"entity"`
	Mode   crm.Mode `json:"mode"`
}

// configList is the answer of GET /configs.
type configList struct {
	Configs []configSummary `json:"configs"`
}

// savedView is the answer of PUT and DELETE /configs/{name}.
type savedView struct {
	Name    string `json:"name"`
	Deleted bool   `json:"deleted,omitempty"`
}

// listConfigs answers the tenant's saved configurations, sorted by name.
func (h *Handler) listConfigs(ctx context.Context, tenant string, _ events.APIGatewayV2HTTPRequest) (any, error) {
	saved, err := h.Tenants.ListConfigs(ctx, tenant)
	if err != nil {
		return nil, err
	}
	list := configList{Configs: make([]configSummary, 0, len(saved))}
	for _, s := range saved {
		list.Configs = append(list.Configs, summaryOf(s))
	}
	return list, nil
}

// summaryOf reads a saved configuration's entity and mode. One saved before
// a rule it now breaks is still listed, with what it says of itself, so the
// tenant can find it and fix it.
func summaryOf(s crm.SavedConfig) configSummary {
	if c, err := config.Parse(s.JSON); err == nil {
		return configSummary{Name: s.Name, Entity: c.Entity, Mode: c.Mode}
	}
	var loose struct {
		Entity string   `json:"entity"`
		Mode   crm.Mode `json:"mode"`
	}
	_ = json.Unmarshal(s.JSON, &loose)
	return configSummary{Name: s.Name, Entity: loose.Entity, Mode: loose.Mode}
}

// getConfig answers a saved configuration's JSON. It is looked up under
// the caller's tenant only: another tenant's name is as missing as one
// that never existed.
func (h *Handler) getConfig(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	name, err := configNameOf(req)
	if err != nil {
		return nil, err
	}
	raw, err := h.Tenants.Config(ctx, tenant, name)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(raw), nil
}

// putConfig saves the body as the named configuration, once config.Parse
// accepts it, as the tenant wrote it (a download gives back their file).
func (h *Handler) putConfig(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := mayChangeConfigs(req); err != nil {
		return nil, err
	}
	name, err := configNameOf(req)
	if err != nil {
		return nil, err
	}
	raw, err := bodyOf(req)
	if err != nil {
		return nil, err
	}
	if _, err := config.Parse(raw); err != nil {
		return nil, err
	}
	if err := h.Tenants.SaveConfig(ctx, tenant, name, raw); err != nil {
		return nil, err
	}
	return savedView{Name: name}, nil
}

// deleteConfig removes a saved configuration; NotFound when the tenant has
// none of that name.
func (h *Handler) deleteConfig(ctx context.Context, tenant string, req events.APIGatewayV2HTTPRequest) (any, error) {
	if err := mayChangeConfigs(req); err != nil {
		return nil, err
	}
	name, err := configNameOf(req)
	if err != nil {
		return nil, err
	}
	if err := h.Tenants.DeleteConfig(ctx, tenant, name); err != nil {
		return nil, err
	}
	return savedView{Name: name, Deleted: true}, nil
}

// mayChangeConfigs refuses callers other than administrators and
// supervisors: every user of the tenant imports with the saved
// configurations, but only they decide what those say.
func mayChangeConfigs(req events.APIGatewayV2HTTPRequest) error {
	if !hasRole(req, Administrator, Supervisor) {
		return crm.Errorf(crm.Refused, "only administrators and supervisors may change saved configurations")
	}
	return nil
}

// configNameOf reads and checks the {name} of the path.
func configNameOf(req events.APIGatewayV2HTTPRequest) (string, error) {
	return checkConfigName(req.PathParameters["name"])
}

// checkConfigName checks a configuration's name, from a path or a body.
func checkConfigName(name string) (string, error) {
	switch {
	case name == "":
		return "", crm.Errorf(crm.Invalid, "the configuration's name is missing")
	case len(name) > maxConfigName:
		return "", crm.Errorf(crm.Invalid, "the configuration's name %q is %d characters long: at most %d are allowed", name, len(name), maxConfigName)
	case !configName.MatchString(name):
		return "", crm.Errorf(crm.Invalid, "the configuration's name %q may hold only letters, digits, - _ and .", name)
	}
	return name, nil
}

// bodyOf returns the request's body, decoded when API Gateway passes it
// base64-encoded.
func bodyOf(req events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	raw, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, crm.Errorf(crm.Invalid, "the request's body could not be read: send the configuration as JSON")
	}
	return raw, nil
}
