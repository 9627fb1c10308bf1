package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRestorePointsCallsItsRouteAndReadsTheList(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.Path + " " + r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"restorePoints":[{"import":"imp-2","file":"a.csv","entity":"customers","status":"SUCCEEDED",
			"time":"2026-12-01T10:00:00Z","kind":"export","exportArn":"arn:x","prefix":"restore-points/demo/imp-2"}]}`))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: func(context.Context) (string, error) { return "tok", nil }}
	list, err := c.RestorePoints(context.Background())
	if err != nil {
		t.Fatalf("RestorePoints() = %v", err)
	}
	if got != "GET /restore-points Bearer tok" {
		t.Errorf("RestorePoints() sent %q, want GET /restore-points with the token", got)
	}
	want := RestorePointList{RestorePoints: []RestorePoint{{Import: "imp-2", File: "a.csv", Entity: "customers", Status: "SUCCEEDED",
		Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Kind: "export", ExportARN: "arn:x", Prefix: "restore-points/demo/imp-2"}}}
	if d := cmp.Diff(want, list); d != "" {
		t.Errorf("RestorePoints() = %+v, want %+v (-want +got):\n%s", list, want, d)
	}
}
