package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/golang-jwt/jwt/v5"
)

// cognitoIssuer is the issuer of a Cognito user pool's tokens. moto signs
// them with the pool's key and serves the keys at
// /{userPoolId}/.well-known/jwks.json on its own port, not at the issuer.
var cognitoIssuer = regexp.MustCompile(`^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([A-Za-z0-9_-]+)$`)

// verifyJWT checks a bearer token as API Gateway's JWT authorizer does:
// an RS256 signature by a key of the issuer's JWKS, not expired (and not
// before its nbf), the authorizer's issuer, and an aud (ID token) or
// client_id (access token) among its audiences. It returns the claims as
// API Gateway passes them (strings) and the token's scopes.
func (e *edge) verifyJWT(ctx context.Context, header string, cfg *types.JWTConfiguration) (map[string]string, []string, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		raw = header
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil, errNoToken
	}
	issuer := aws.ToString(cfg.Issuer)
	keys, err := e.jwks(ctx, issuer)
	if err != nil {
		return nil, nil, err
	}
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(raw, claims, keys.Keyfunc,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		return nil, nil, err
	}
	if !audienceOK(claims, cfg.Audience) {
		return nil, nil, fmt.Errorf("token audience is not one of %v", cfg.Audience)
	}
	out := map[string]string{}
	for k, v := range claims {
		out[k] = claimString(v)
	}
	var scopes []string
	if s, ok := claims["scope"].(string); ok {
		scopes = strings.Fields(s)
	}
	return out, scopes, nil
}

// audienceOK: API Gateway accepts a token whose aud, or else client_id,
// matches one of the configured audiences.
func audienceOK(claims jwt.MapClaims, audiences []string) bool {
	aud, _ := claims.GetAudience()
	if slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(audiences, a) }) {
		return true
	}
	id, _ := claims["client_id"].(string)
	return id != "" && slices.Contains(audiences, id)
}

// claimString writes a claim the way API Gateway passes it to the
// function: strings as they are, arrays as "[a b]", other values as JSON.
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = claimString(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// jwks fetches the issuer's keys, on every request: the local cloud's
// pools are recreated by a redeploy, and the fetch costs a local round trip.
func (e *edge) jwks(ctx context.Context, issuer string) (keyfunc.Keyfunc, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/jwks.json"
	if m := cognitoIssuer.FindStringSubmatch(issuer); m != nil {
		u = e.cfg.MotoURL + "/" + url.PathEscape(m[1]) + "/.well-known/jwks.json"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read jwks %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: %s", u, resp.Status)
	}
	k, err := keyfunc.NewJWKSetJSON(data)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("parse jwks %s", u), err)
	}
	return k, nil
}
