package api

import (
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/crmimport/crm-import/internal/crm"
)

// errorBody is every error's answer: the kind, for programs, and a message
// in the tenant's words, for people.
type errorBody struct {
	Code    crm.Kind `json:"code"`
	Message string   `json:"message"`
}

// StatusOf maps an error kind to its HTTP status.
func StatusOf(k crm.Kind) int {
	switch k {
	case crm.Invalid:
		return http.StatusBadRequest
	case crm.Refused:
		return http.StatusForbidden
	case crm.NotFound:
		return http.StatusNotFound
	case crm.Conflict, crm.Busy:
		// Busy: another import holds what this request needs; the caller
		// can try again once it has finished.
		return http.StatusConflict
	case crm.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers err, logging what the tenant is not told.
func (h *Handler) fail(req events.APIGatewayV2HTTPRequest, err error) events.APIGatewayV2HTTPResponse {
	kind := crm.KindOf(err)
	status := StatusOf(kind)
	if h.Log != nil {
		level := h.Log.Warn
		if status >= 500 {
			level = h.Log.Error
		}
		level("request failed", "route", req.RouteKey, "path", req.RawPath, "kind", kind, "status", status, "err", err)
	}
	return respond(status, errorBody{Code: kind, Message: crm.Message(err)})
}

// withStatus answers body as JSON with a status other than 200 (201 for
// what a POST created).
func withStatus(status int, body any) events.APIGatewayV2HTTPResponse { return respond(status, body) }

// respond answers body as JSON, with the CORS headers a browser page on
// another origin needs to read it (the token travels in Authorization, not
// in a cookie, so any origin may read what its token allows).
func respond(status int, body any) events.APIGatewayV2HTTPResponse {
	data, err := json.Marshal(body)
	if raw, ok := body.(json.RawMessage); ok && json.Valid(raw) {
		// Answered byte for byte (Marshal would compact it): a saved
		// configuration comes back as the tenant wrote it.
		data = raw
	}
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorBody{Code: crm.Internal, Message: crm.InternalMessage})
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":                 "application/json",
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Headers": "Authorization, Content-Type",
			"Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
		},
		Body: string(data),
	}
}
