package dynamo

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestRestoreJobsMoveOnceAndKeepTheirTokenToThemselves(t *testing.T) {
	client, table, _ := newTable(t)
	jobs := NewJobs(client, table)
	ctx := context.Background()
	r := crm.Restore{Tenant: "acme", ID: "rst-1", Point: "imp-1", Status: crm.RestorePlanning, CreatedAt: fixedNow}
	if err := jobs.CreateRestore(ctx, r); err != nil {
		t.Fatalf("CreateRestore() = %v", err)
	}
	if err := jobs.CreateRestore(ctx, r); crm.KindOf(err) != crm.Conflict {
		t.Errorf("CreateRestore(again) = %v, want a Conflict", err)
	}
	later := r
	later.ID, later.CreatedAt = "rst-2", fixedNow.Add(time.Minute)
	if err := jobs.CreateRestore(ctx, later); err != nil {
		t.Fatal(err)
	}
	if _, _, err := jobs.MoveRestore(ctx, "acme", "rst-1", []crm.RestoreStatus{crm.RestorePlanning}, func(r *crm.Restore) {
		r.Status, r.Token, r.PutBack = crm.RestoreReady, "token-1", 3
	}); err != nil {
		t.Fatalf("MoveRestore(PLANNING -> READY) = %v", err)
	}

	// Two confirmations at once: exactly one takes the token.
	var mu sync.Mutex
	var tokens []string
	conflicts := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			before, _, err := jobs.MoveRestore(ctx, "acme", "rst-1", []crm.RestoreStatus{crm.RestoreReady}, func(r *crm.Restore) {
				r.Status, r.Token = crm.RestoreRestoring, ""
			})
			mu.Lock()
			defer mu.Unlock()
			switch crm.KindOf(err) {
			case "":
				tokens = append(tokens, before.Token)
			case crm.Conflict:
				conflicts++
			default:
				t.Errorf("MoveRestore(READY -> RESTORING) = %v", err)
			}
		})
	}
	wg.Wait()
	if len(tokens) != 1 || tokens[0] != "token-1" || conflicts != 1 {
		t.Errorf("two confirmations took tokens %q with %d conflicts, want one took token-1 and one was a Conflict", tokens, conflicts)
	}
	if err := jobs.SetRestoreProgress(ctx, "acme", "rst-1", 2); err != nil {
		t.Fatalf("SetRestoreProgress() = %v", err)
	}
	got, err := jobs.GetRestore(ctx, "acme", "rst-1")
	if err != nil || got.Status != crm.RestoreRestoring || got.Done != 2 || got.PutBack != 3 || got.Token != "" {
		t.Errorf("GetRestore() = %+v, %v, want RESTORING, 2 done, 3 to put back, no token", got, err)
	}
	if err := jobs.SetRestoreProgress(ctx, "acme", "rst-2", 1); crm.KindOf(err) != crm.Conflict {
		t.Errorf("SetRestoreProgress(a PLANNING restore) = %v, want a Conflict", err)
	}
	list, err := jobs.ListRestores(ctx, "acme")
	if err != nil || len(list) != 2 || list[0].ID != "rst-2" || list[1].ID != "rst-1" {
		t.Errorf("ListRestores() = %+v, %v, want rst-2 then rst-1", list, err)
	}
	if list, err := jobs.ListRestores(ctx, "globex"); err != nil || len(list) != 0 {
		t.Errorf("ListRestores(another tenant) = %+v, %v, want none", list, err)
	}
	if _, err := jobs.GetRestore(ctx, "globex", "rst-1"); crm.KindOf(err) != crm.NotFound {
		t.Errorf("GetRestore(another tenant's) = %v, want NotFound", err)
	}
	if imports, err := jobs.List(ctx, "acme"); err != nil || len(imports) != 0 {
		t.Errorf("List() = %+v, %v, want no import among the restores", imports, err)
	}
}
