package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// The edge plays API Gateway's HTTP APIs, which moto stores but does not
// run: a request to /_api/{apiId}/{path} is matched against the API's
// routes as moto holds them, its bearer token checked by the route's JWT
// authorizer (jwtauth.go), and the route's Lambda proxy integration invoked
// with the payload format 2.0 event, as API Gateway does. The API is read
// from moto on each request, so a redeploy takes effect at once.

const httpAPIPrefix = "/_api/"

// httpAPI is what the edge needs of one deployed HTTP API.
type httpAPI struct {
	id           string
	cors         *types.Cors
	routes       []types.Route
	authorizers  map[string]types.Authorizer
	integrations map[string]types.Integration
}

func (e *edge) loadHTTPAPI(ctx context.Context, id string) (*httpAPI, error) {
	api, err := e.apigw.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id})
	if err != nil {
		return nil, err
	}
	a := &httpAPI{id: id, cors: api.CorsConfiguration, authorizers: map[string]types.Authorizer{}, integrations: map[string]types.Integration{}}
	routes, err := e.apigw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil {
		return nil, err
	}
	a.routes = routes.Items
	// moto has no GetAuthorizers: each route's authorizer is read by id.
	for _, r := range a.routes {
		aid := aws.ToString(r.AuthorizerId)
		if _, done := a.authorizers[aid]; aid == "" || done {
			continue
		}
		au, err := e.apigw.GetAuthorizer(ctx, &apigatewayv2.GetAuthorizerInput{ApiId: &id, AuthorizerId: &aid})
		if err != nil {
			return nil, err
		}
		a.authorizers[aid] = types.Authorizer{AuthorizerId: au.AuthorizerId, AuthorizerType: au.AuthorizerType, JwtConfiguration: au.JwtConfiguration, Name: au.Name}
	}
	integs, err := e.apigw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id})
	if err != nil {
		return nil, err
	}
	for _, in := range integs.Items {
		a.integrations[aws.ToString(in.IntegrationId)] = in
	}
	return a, nil
}

// match finds the route of method and path: the most specific one (fewest
// path variables, no greedy one), then "$default", as API Gateway picks.
func (a *httpAPI) match(method, path string) (types.Route, map[string]string, bool) {
	var best types.Route
	var bestParams map[string]string
	bestScore := -1
	for _, r := range a.routes {
		key := aws.ToString(r.RouteKey)
		m, p, ok := strings.Cut(key, " ")
		if !ok || (m != method && m != "ANY") {
			continue
		}
		params, score, ok := matchPath(p, path)
		if m == "ANY" {
			score--
		}
		if ok && score > bestScore {
			best, bestParams, bestScore = r, params, score
		}
	}
	if bestScore >= 0 {
		return best, bestParams, true
	}
	for _, r := range a.routes {
		if aws.ToString(r.RouteKey) == "$default" {
			return r, nil, true
		}
	}
	return types.Route{}, nil, false
}

// matchPath matches a route's path template ("/imports/{id}",
// "/files/{key+}") against a request path; the score favours literal
// segments.
func matchPath(template, path string) (map[string]string, int, bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{}
	score := 1000
	for i, t := range ts {
		if name, ok := strings.CutPrefix(t, "{"); ok && strings.HasSuffix(t, "+}") {
			if i >= len(ps) {
				return nil, 0, false
			}
			params[strings.TrimSuffix(name, "+}")] = strings.Join(ps[i:], "/")
			return params, score - 500, true
		}
		if i >= len(ps) {
			return nil, 0, false
		}
		if name, ok := strings.CutPrefix(t, "{"); ok && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return nil, 0, false
			}
			params[strings.TrimSuffix(name, "}")] = ps[i]
			score--
			continue
		}
		if t != ps[i] {
			return nil, 0, false
		}
	}
	if len(ts) != len(ps) {
		return nil, 0, false
	}
	return params, score, true
}

func (e *edge) serveHTTPAPI(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, httpAPIPrefix)
	id, path, _ := strings.Cut(rest, "/")
	path = "/" + path
	api, err := e.loadHTTPAPI(r.Context(), id)
	if err != nil {
		e.logger.Warn("http api", "api", id, "err", err)
		apiMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	api.setCORS(w, r)
	if r.Method == http.MethodOptions && api.cors != nil && r.Header.Get("Access-Control-Request-Method") != "" {
		// A CORS preflight: API Gateway answers it itself when the API
		// has a CORS configuration.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	route, params, ok := api.match(r.Method, path)
	if !ok {
		apiMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	var claims map[string]string
	var scopes []string
	if route.AuthorizationType == types.AuthorizationTypeJwt {
		au, ok := api.authorizers[aws.ToString(route.AuthorizerId)]
		if !ok || au.JwtConfiguration == nil {
			apiMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		claims, scopes, err = e.verifyJWT(r.Context(), r.Header.Get("Authorization"), au.JwtConfiguration)
		if err != nil {
			// API Gateway tells the caller no more than this; the reason
			// is in the edge's log.
			e.logger.Info("http api: token refused", "api", id, "route", aws.ToString(route.RouteKey), "err", err)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			apiMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
	}
	integ, ok := api.integrations[strings.TrimPrefix(aws.ToString(route.Target), "integrations/")]
	fn, isLambda := lambdaOfIntegration(integ)
	if !ok || !isLambda {
		apiMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil || len(body) > 10<<20 {
		apiMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	event := v2Event(r, id, path, aws.ToString(route.RouteKey), params, claims, scopes, body)
	payload, err := json.Marshal(event)
	if err != nil {
		apiMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	out, _, err := e.functions.invoke(r.Context(), fn, payload, "")
	if err != nil || out.ErrorType != "" {
		e.logger.Warn("http api: integration failed", "api", id, "function", fn, "err", err, "errorType", out.ErrorType)
		apiMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	writeV2Response(w, out.Payload)
}

// lambdaOfIntegration returns the function a Lambda proxy integration
// invokes: its URI is the function's ARN, or API Gateway's invocation path
// of it.
func lambdaOfIntegration(in types.Integration) (string, bool) {
	if in.IntegrationType != types.IntegrationTypeAwsProxy {
		return "", false
	}
	uri := aws.ToString(in.IntegrationUri)
	if _, rest, ok := strings.Cut(uri, "/functions/"); ok {
		uri = strings.TrimSuffix(rest, "/invocations")
	}
	return uri, uri != ""
}

// v2Event is the payload format 2.0 event API Gateway sends the function.
func v2Event(r *http.Request, apiID, path, routeKey string, params, claims map[string]string, scopes []string, body []byte) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}
	now := time.Now().UTC()
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    "123456789012",
			Stage:        "$default",
			RequestID:    requestID(),
			APIID:        apiID,
			DomainName:   r.Host,
			DomainPrefix: apiID,
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: path, Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: scopes},
		}
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

// writeV2Response answers what the function returned, read as API Gateway
// reads a payload 2.0 answer: an object with statusCode is a response; any
// other JSON is a 200 body of its own.
func writeV2Response(w http.ResponseWriter, payload []byte) {
	var resp events.APIGatewayV2HTTPResponse
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil || json.Unmarshal(payload, &resp) != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(payload)
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			apiMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		body = decoded
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// setCORS adds the headers of the API's CORS configuration to an answer to
// a request from a browser (one with an Origin).
func (a *httpAPI) setCORS(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if a.cors == nil || origin == "" {
		return
	}
	allowed := ""
	for _, o := range a.cors.AllowOrigins {
		if o == "*" || o == origin {
			allowed = o
		}
	}
	if allowed == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", allowed)
	if len(a.cors.AllowHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(a.cors.AllowHeaders, ","))
	}
	if len(a.cors.AllowMethods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(a.cors.AllowMethods, ","))
	}
}

// apiMessage answers as API Gateway does when it answers itself.
func apiMessage(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, msg)
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var errNoToken = errors.New("no bearer token")
