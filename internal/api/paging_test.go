package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

func TestListImportsPagesNewestFirst(t *testing.T) {
	jobs := crmtest.NewJobs()
	const n = 7
	for i := range n {
		if _, err := jobs.Create(context.Background(), crm.Job{Tenant: "acme", ID: fmt.Sprintf("imp-%02d", i), Entity: "customers", Status: crm.Succeeded}); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := jobs.List(context.Background(), "acme")
	h := &Handler{Jobs: jobs}
	for _, limit := range []int{1, 3, 7, 50} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var seen []string
			next, pages := "", 0
			for {
				q := map[string]string{"limit": fmt.Sprint(limit)}
				if next != "" {
					q["next"] = next
				}
				req := request("GET /imports", "/imports", nil, tenantClaims("acme"))
				req.QueryStringParameters = q
				resp, _ := h.Handle(context.Background(), req)
				var page importList
				if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || resp.StatusCode != 200 {
					t.Fatalf("Handle(%v) = %d %s", q, resp.StatusCode, resp.Body)
				}
				if len(page.Imports) > limit {
					t.Errorf("page of %d imports, want at most %d", len(page.Imports), limit)
				}
				for _, i := range page.Imports {
					seen = append(seen, i.ID)
				}
				pages++
				if next = page.Next; next == "" || pages > n+1 {
					break
				}
			}
			if len(seen) != n {
				t.Fatalf("pages gave %q, want every one of %d imports once", seen, n)
			}
			for i, j := range all {
				if seen[i] != j.ID {
					t.Errorf("import %d = %s, want %s (List's order)", i, seen[i], j.ID)
				}
			}
			if want := (n + limit - 1) / limit; pages != want {
				t.Errorf("pages = %d, want %d", pages, want)
			}
		})
	}
}

func TestListImportsRefusesBadPages(t *testing.T) {
	tests := []struct {
		name  string
		query map[string]string
		want  string
	}{
		{"a limit of 0", map[string]string{"limit": "0"}, `limit must be a whole number from 1 to 200, not "0"`},
		{"a limit past the most", map[string]string{"limit": "201"}, `limit must be a whole number from 1 to 200, not "201"`},
		{"a token made up", map[string]string{"next": "bogus"}, `next "bogus" is not a page token of this list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("GET /imports", "/imports", nil, tenantClaims("acme"))
			req.QueryStringParameters = tt.query
			resp, _ := (&Handler{Jobs: store(t)}).Handle(context.Background(), req)
			var e errorBody
			_ = json.Unmarshal([]byte(resp.Body), &e)
			if resp.StatusCode != 400 || !strings.HasPrefix(e.Message, tt.want) {
				t.Errorf("Handle(%v) = %d %q, want 400 %q", tt.query, resp.StatusCode, e.Message, tt.want)
			}
		})
	}
}
