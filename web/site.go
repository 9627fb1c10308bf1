// Package web serves the import wizard's page (built by Vite into
// build/site) from the stack's HTTP API, under /app/, with no authorizer:
// the page is public, every call it makes to the API carries the tenant's
// token. Served by the API's own origin, the page needs no CORS, and one
// `sam deploy` publishes it with the API it talks to.
package web

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// site holds build/site once `npm run build` has made it; build/.keep is
// committed so that a checkout without the page still compiles.
//
//go:embed all:build
var site embed.FS

// Config is what the page learns of the stack at /app/config.json.
type Config struct {
	ClientID   string   `json:"clientId"`
	Region     string   `json:"region"`
	CognitoURL string   `json:"cognitoUrl"`
	Entities   []Entity `json:"entities"`
}

// Site answers the page's requests.
type Site struct {
	Config Config
	files  fs.FS
}

// New returns the site of the embedded build.
func New(c Config) *Site {
	sub, _ := fs.Sub(site, "build/site")
	return &Site{Config: c, files: sub}
}

// Handle answers GET /app, /app/ and /app/{file+}; it never fails (the
// Lambda runtime wants an error beside the answer).
func (s *Site) Handle(req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return s.answer(req), nil
}

func (s *Site) answer(req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	name := strings.TrimPrefix(req.PathParameters["file"], "/")
	if req.RawPath != "" && !strings.HasSuffix(req.RawPath, "/") && name == "" {
		// The page's relative links need the trailing slash.
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusFound, Headers: map[string]string{"Location": req.RawPath + "/"}}
	}
	if name == "config.json" {
		body, _ := json.Marshal(s.Config)
		return answer(http.StatusOK, "application/json", "no-store", body)
	}
	if name == "" {
		name = "index.html"
	}
	name = path.Clean(name)
	body, err := fs.ReadFile(s.files, name)
	if err != nil {
		if _, err := fs.Stat(s.files, "index.html"); err != nil {
			return answer(http.StatusServiceUnavailable, "text/plain; charset=utf-8", "no-store",
				[]byte("The page was not built into this function: run make web, then deploy again.\n"))
		}
		return answer(http.StatusNotFound, "text/plain; charset=utf-8", "no-store", []byte("Not found.\n"))
	}
	cache := "no-cache"
	if strings.HasPrefix(name, "assets/") {
		// Vite names assets by their content's hash.
		cache = "public, max-age=31536000, immutable"
	}
	typ := mime.TypeByExtension(path.Ext(name))
	if typ == "" {
		typ = "application/octet-stream"
	}
	return answer(http.StatusOK, typ, cache, body)
}

func answer(status int, typ, cache string, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      status,
		Headers:         map[string]string{"Content-Type": typ, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
		Body:            base64.StdEncoding.EncodeToString(body),
		IsBase64Encoded: true,
	}
}
