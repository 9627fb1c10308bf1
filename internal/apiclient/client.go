// Package apiclient is a Go client of the tenant's HTTP API (internal/api):
// one method per route, typed answers, errors as *Error. The CLI, the demo
// and the end-to-end tests use it, so they all speak the API one way.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Client calls the API at BaseURL (the stage's URL, without a trailing
// slash: https://abc.execute-api.eu-central-1.amazonaws.com, or the local
// cloud's $API_URL) as the user whose ID token Token returns.
type Client struct {
	BaseURL string
	// Token returns the ID token to send as "Authorization: Bearer ...";
	// nil sends none. Static wraps a fixed token; a Session refreshes one.
	Token func(ctx context.Context) (string, error)
	HTTP  *http.Client // http.DefaultClient when nil
}

// Static returns a Token func that always answers token.
func Static(token string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return token, nil }
}

// Error is an answer of the API other than 2xx: the HTTP status, the
// error's kind as the API names it (crm.Kind: "invalid", "not_found"...;
// empty when API Gateway answered, e.g. 401 for a missing token) and the
// message in the tenant's words.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// request is one call: method, path (already escaped), query, a body and
// its content type.
type request struct {
	method      string
	path        string
	query       url.Values
	body        []byte
	contentType string
}

// jsonRequest makes a request whose body is v as JSON.
func jsonRequest(method, path string, v any) (request, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return request{}, fmt.Errorf("encode %s %s: %w", method, path, err)
	}
	return request{method: method, path: path, body: data, contentType: "application/json"}, nil
}

// send makes the call and returns the response of a 2xx answer; any other
// answer is read into an *Error.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := strings.TrimRight(c.BaseURL, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if c.Token != nil {
		token, err := c.Token(ctx)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, errorOf(resp)
	}
	return resp, nil
}

// do makes the call and decodes a JSON answer into out (nil: ignored).
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", r.method, r.path, err)
	}
	return nil
}

// get is do for a GET.
func (c *Client) get(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, request{method: http.MethodGet, path: path, query: query}, out)
}

// post is do for a POST of a JSON body.
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	r, err := jsonRequest(http.MethodPost, path, in)
	if err != nil {
		return err
	}
	return c.do(ctx, r, out)
}

// download copies a file the API answers as an attachment to w and
// returns the file name it suggests ("" when it names none).
func (c *Client) download(ctx context.Context, path string, query url.Values, w io.Writer) (string, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return "", fmt.Errorf("GET %s: %w", path, err)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil {
		return "", nil
	}
	return params["filename"], nil
}

// errorOf reads an error answer: the API's {"code","message"}, API
// Gateway's {"message"}, or, from anything else, the status's words.
func errorOf(resp *http.Response) *Error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &Error{Status: resp.StatusCode}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Code, e.Message = body.Code, body.Message
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("the API answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return e
}

// seg escapes one path segment (an import id, a configuration's name).
func seg(s string) string { return url.PathEscape(s) }
