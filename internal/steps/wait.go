package steps

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Wait is the task of each wait for the tenant (a waitForTaskToken task of
// the workflow): it records the task token on the job, which the API takes
// to answer, and announces ImportWaiting. The workflow goes on when the
// API sends the answer, or ends the job EXPIRED when the wait times out.
type Wait struct {
	Jobs   crm.Jobs
	Leases crm.Leases
	// Tenants and Limits tell how many slots among the tenant's running
	// imports there are: the wait gives up the one it holds.
	Tenants crm.Tenants
	Limits  crm.Limits
	Notify  crm.Notifier
	Log     *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// WaitInput is the wait task's payload: the state and the task token.
type WaitInput struct {
	State State  `json:"state"`
	Token string `json:"token"`
}

// WaitingEvent is the detail of ImportWaiting: no row data.
type WaitingEvent struct {
	Tenant   string       `json:"tenant"`
	ImportID string       `json:"importId"`
	For      crm.WaitFor  `json:"for"`
	User     *crm.UserRef `json:"user,omitempty"`
}

// Handle is the wait step. Its result is not the task's: the answer is.
func (w *Wait) Handle(ctx context.Context, in WaitInput) (WaitingEvent, error) {
	s := in.State
	log := s.Logger(w.Log, "wait")
	wz := s.Wizard
	if wz == nil || in.Token == "" {
		return WaitingEvent{}, crm.Errorf(crm.Internal, "the wait step needs the wizard's state and a task token")
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	t := now().UTC()
	wait := crm.Wait{For: wz.For, Token: in.Token, Since: t, Expires: t.Add(time.Duration(wz.WaitSeconds) * time.Second)}
	ev := WaitingEvent{Tenant: s.Tenant, ImportID: s.ImportID, For: wz.For}
	if wz.For == crm.ForDecision {
		if len(wz.Left) == 0 || wz.Plan == nil {
			return ev, crm.Errorf(crm.Internal, "a decision is awaited with no user in turn")
		}
		u := wz.Left[0]
		wait.User, ev.User = &u, &u
		// The lease is never held across a wait for the tenant: another
		// import may write the user's records meanwhile, and apply then
		// reports what it changed as conflicts.
		for _, entity := range append([]string{wz.Plan.Entity}, slices.Sorted(maps.Keys(wz.Plan.Preview.Linked))...) {
			if err := w.Leases.Release(ctx, userLease(s.Tenant, s.ImportID, u.ID, entity)); err != nil {
				log.Warn("lease not released before the wait", "entity", entity, "error", err)
			}
		}
	}
	// Nor is the import's slot among the tenant's running imports: a wait
	// for the tenant may last days, and five unanswered wizards would
	// keep every other import of the tenant from running. It is given up
	// before the wait is recorded, so before any answer can come, and the
	// wizard step takes it again after the answer.
	releaseTenantSlots(ctx, log, w.Tenants, w.Leases, w.Limits, s.Tenant, s.ImportID)
	if err := w.Jobs.SetWait(ctx, s.Tenant, s.ImportID, wait); err != nil {
		return ev, err
	}
	if err := w.Notify.Send(ctx, crm.ImportWaiting, ev); err != nil {
		// The job says it waits; the API shows it.
		log.Error("import waits but the notification was not sent", "error", err)
	}
	log.Info("import waits for the tenant", "for", wz.For, "expires", wait.Expires)
	return ev, nil
}

// Logger puts the import's tenant and id, and the step, on every log line.
func (in WaitInput) Logger(base *slog.Logger, step string) *slog.Logger {
	return in.State.Logger(base, step)
}
