package api

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Pages of GET /imports.
const (
	DefaultImportPage = 50
	MaxImportPage     = 200
)

// cursor is where a page of imports ends: the last import shown. The next
// page starts after it in the list's order (newest first, then by id), so
// an import created meanwhile does not shift the pages and show one twice.
type cursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"id"`
}

// listPageOf reads ?limit= and ?next= of GET /imports.
func listPageOf(q map[string]string) (int, *cursor, error) {
	limit := DefaultImportPage
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxImportPage {
			return 0, nil, crm.Errorf(crm.Invalid, "limit must be a whole number from 1 to %d, not %q", MaxImportPage, s)
		}
		limit = n
	}
	token, ok := q["next"]
	if !ok {
		return limit, nil, nil
	}
	var c cursor
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		err = json.Unmarshal(raw, &c)
	}
	if err != nil || c.ID == "" {
		return 0, nil, crm.Errorf(crm.Invalid, "next %q is not a page token of this list: pass the next value of the page before", token)
	}
	return limit, &c, nil
}

// token is the next value that continues after j.
func token(j crm.Job) string {
	raw, _ := json.Marshal(cursor{CreatedAt: j.CreatedAt, ID: j.ID})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// pageAfter returns up to limit jobs that come after c in jobs, which are
// in the order Jobs.List returns them (newest first, then by id), and the
// token of the next page when more follow.
func pageAfter(jobs []crm.Job, c *cursor, limit int) ([]crm.Job, string) {
	start := 0
	if c != nil {
		start = len(jobs)
		for i, j := range jobs {
			if j.CreatedAt.Before(c.CreatedAt) || (j.CreatedAt.Equal(c.CreatedAt) && j.ID > c.ID) {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(jobs))
	page := jobs[start:end]
	if end < len(jobs) {
		return page, token(page[len(page)-1])
	}
	return page, ""
}
