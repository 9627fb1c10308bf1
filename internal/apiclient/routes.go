package apiclient

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// CreateImport asks for an import and the presigned POST of its file
// (POST /imports). The job is UPLOADING until Upload has sent the file.
func (c *Client) CreateImport(ctx context.Context, in NewImport) (Created, error) {
	var out Created
	err := c.post(ctx, "/imports", in, &out)
	return out, err
}

// Imports answers one page of the tenant's imports, newest first (GET
// /imports); limit 0 is the API's default, next the previous page's Next.
func (c *Client) Imports(ctx context.Context, limit int, next string) (ImportList, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if next != "" {
		q.Set("next", next)
	}
	var out ImportList
	err := c.get(ctx, "/imports", q, &out)
	return out, err
}

// AllImports walks every page of Imports.
func (c *Client) AllImports(ctx context.Context) ([]Import, error) {
	var all []Import
	next := ""
	for {
		page, err := c.Imports(ctx, 0, next)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Imports...)
		if page.Next == "" || page.Next == next {
			return all, nil
		}
		next = page.Next
	}
}

// Import answers one import (GET /imports/{id}).
func (c *Client) Import(ctx context.Context, id string) (Import, error) {
	var out Import
	err := c.get(ctx, "/imports/"+seg(id), nil, &out)
	return out, err
}

// Report answers the check report with one page of its row errors (GET
// /imports/{id}/report).
func (c *Client) Report(ctx context.Context, id string, p Page) (Report, error) {
	var out Report
	err := c.get(ctx, "/imports/"+seg(id)+"/report", p.query(), &out)
	return out, err
}

// Users answers the import's users and the values that matched none (GET
// /imports/{id}/users).
func (c *Client) Users(ctx context.Context, id string) (Users, error) {
	var out Users
	err := c.get(ctx, "/imports/"+seg(id)+"/users", nil, &out)
	return out, err
}

// Select posts the selection: the users (ids or e-mails) not to import
// (POST /imports/{id}/selection).
func (c *Client) Select(ctx context.Context, id string, exclude []string) (Import, error) {
	if exclude == nil {
		exclude = []string{}
	}
	var out Import
	err := c.post(ctx, "/imports/"+seg(id)+"/selection", map[string][]string{"exclude": exclude}, &out)
	return out, err
}

// Preview answers the preview of user ("": the user in turn) with one
// page of its planned operations (GET /imports/{id}/preview).
func (c *Client) Preview(ctx context.Context, id, user string, p Page) (Preview, error) {
	q := p.query()
	if user != "" {
		q.Set("user", user)
	}
	var out Preview
	err := c.get(ctx, "/imports/"+seg(id)+"/preview", q, &out)
	return out, err
}

// Decide posts the decision on the preview of the user in turn (POST
// /imports/{id}/decision).
func (c *Client) Decide(ctx context.Context, id string, d Decision) (Import, error) {
	var out Import
	err := c.post(ctx, "/imports/"+seg(id)+"/decision", d, &out)
	return out, err
}

// Resume goes on after "back", or stops the import (POST
// /imports/{id}/resume).
func (c *Client) Resume(ctx context.Context, id string, r Resume) (Import, error) {
	var out Import
	err := c.post(ctx, "/imports/"+seg(id)+"/resume", r, &out)
	return out, err
}

// Results answers each decided user's result so far (GET
// /imports/{id}/results).
func (c *Client) Results(ctx context.Context, id string) ([]Result, error) {
	var out struct {
		Users []Result `json:"users"`
	}
	err := c.get(ctx, "/imports/"+seg(id)+"/results", nil, &out)
	return out.Users, err
}

// Summary answers the closing summary of an import that has ended (GET
// /imports/{id}/summary); 409 before.
func (c *Client) Summary(ctx context.Context, id string) (Summary, error) {
	var out Summary
	err := c.get(ctx, "/imports/"+seg(id)+"/summary", nil, &out)
	return out, err
}

// Duplicates answers one page of an import's likely duplicates (GET
// /imports/{id}/duplicates).
func (c *Client) Duplicates(ctx context.Context, id string, p Page) (Duplicates, error) {
	var out Duplicates
	err := c.get(ctx, "/imports/"+seg(id)+"/duplicates", p.query(), &out)
	return out, err
}

// ErrorFile copies the import's error file (CSV) to w and returns its
// suggested file name (GET /imports/{id}/errors).
func (c *Client) ErrorFile(ctx context.Context, id string, w io.Writer) (string, error) {
	return c.download(ctx, "/imports/"+seg(id)+"/errors", nil, w)
}

// Configs answers the tenant's saved configurations, sorted by name.
func (c *Client) Configs(ctx context.Context) ([]ConfigSummary, error) {
	var out struct {
		Configs []ConfigSummary `json:"configs"`
	}
	err := c.get(ctx, "/configs", nil, &out)
	return out.Configs, err
}

// Config answers a saved configuration's JSON as it was saved.
func (c *Client) Config(ctx context.Context, name string) ([]byte, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/configs/" + seg(name)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// PutConfig saves raw (a configuration's JSON) under name; the API checks
// it as `crmimport check --config` does and answers its problems (400).
func (c *Client) PutConfig(ctx context.Context, name string, raw []byte) error {
	return c.do(ctx, request{method: http.MethodPut, path: "/configs/" + seg(name), body: raw, contentType: "application/json"}, nil)
}

// DeleteConfig removes a saved configuration (404 when missing).
func (c *Client) DeleteConfig(ctx context.Context, name string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: "/configs/" + seg(name)}, nil)
}

// DownloadConfig copies a saved configuration as a file to w and returns
// its file name (GET /configs/{name}/file).
func (c *Client) DownloadConfig(ctx context.Context, name string, w io.Writer) (string, error) {
	return c.download(ctx, "/configs/"+seg(name)+"/file", nil, w)
}

// Template copies the template of entity in lang ("": the API's default)
// and format ("xlsx" or "csv") to w and returns its file name (GET
// /templates/{entity}).
func (c *Client) Template(ctx context.Context, entity, lang, format string, w io.Writer) (string, error) {
	q := url.Values{}
	if lang != "" {
		q.Set("lang", lang)
	}
	if format != "" {
		q.Set("format", format)
	}
	return c.download(ctx, "/templates/"+seg(entity), q, w)
}

func (p Page) query() url.Values {
	q := url.Values{}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	return q
}
