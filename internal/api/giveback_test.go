package api

import (
	"context"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/crmtest"
)

// ambiguousWorkflow delivers the answer, lets the workflow go on to its
// next wait (then, the next wait step's SetWait), and answers as a timeout
// does: Unavailable, though the answer arrived.
type ambiguousWorkflow struct {
	*crmtest.Workflow
	then func()
}

func (a *ambiguousWorkflow) SendTaskSuccess(ctx context.Context, token string, output any) error {
	if err := a.Workflow.SendTaskSuccess(ctx, token, output); err != nil {
		return err
	}
	a.then()
	return crm.Errorf(crm.Unavailable, "the request to Step Functions timed out")
}

// TestAnAmbiguousAnswerDoesNotReplaceTheNextWait: the answer arrived but
// its call timed out; by the time the API gives the wait back, the
// workflow waits again with a new token, which must stay on the job.
func TestAnAmbiguousAnswerDoesNotReplaceTheNextWait(t *testing.T) {
	ctx := context.Background()
	w := newWizardWorld(t, decisionWait)
	next := crm.Wait{For: crm.ForDecision, Token: "tok-next", User: &crm.UserRef{ID: wBo.ID, Email: wBo.Email, Rows: 1}}
	w.h.Workflow = &ambiguousWorkflow{Workflow: w.workflow, then: func() {
		if err := w.jobs.SetWait(ctx, "acme", "imp-w", next); err != nil {
			t.Errorf("SetWait(next) = %v", err)
		}
	}}
	resp, _ := w.h.Handle(ctx, post("POST /imports/{id}/decision", "imp-w", "acme", `{"decision":"import","user":"u-anna"}`))
	j, _ := w.jobs.Get(ctx, "acme", "imp-w")
	if resp.StatusCode != 503 || j.Status != crm.Waiting || j.Wait == nil || j.Wait.Token != "tok-next" {
		t.Errorf("decision = %d %s, job %s wait %+v; want 503 and the job waiting on tok-next", resp.StatusCode, resp.Body, j.Status, j.Wait)
	}
}

// TestGiveBackWaitWritesOnlyWhileTheJobHasNotMovedOn, on the double (the
// adapter's test is internal/dynamo's TestJobsGiveBackWait).
func TestGiveBackWaitWritesOnlyWhileTheJobHasNotMovedOn(t *testing.T) {
	ctx := context.Background()
	old := crm.Wait{For: crm.ForDecision, Token: "tok-old"}
	tests := []struct {
		name  string
		after func(jobs *crmtest.Jobs)
		want  string // the token on the job afterwards; "" for none
		given bool
	}{
		{"the job still is as TakeWait left it", func(*crmtest.Jobs) {}, "tok-old", true},
		{"the next wait is recorded", func(jobs *crmtest.Jobs) {
			jobs.SetWait(ctx, "acme", "imp-w", crm.Wait{For: crm.ForResume, Token: "tok-new"})
		}, "tok-new", false},
		{"the job has ended", func(jobs *crmtest.Jobs) {
			jobs.Update(ctx, "acme", "imp-w", crm.JobChange{Status: crm.Stopped})
		}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := crmtest.NewJobs()
			jobs.Create(ctx, crm.Job{Tenant: "acme", ID: "imp-w", Status: crm.Applying})
			jobs.SetWait(ctx, "acme", "imp-w", old)
			if _, err := jobs.TakeWait(ctx, "acme", "imp-w", crm.ForDecision, crm.Applying); err != nil {
				t.Fatal(err)
			}
			tt.after(jobs)
			err := jobs.GiveBackWait(ctx, "acme", "imp-w", old, crm.Applying)
			j, _ := jobs.Get(ctx, "acme", "imp-w")
			token := ""
			if j.Wait != nil {
				token = j.Wait.Token
			}
			if (err == nil) != tt.given || (!tt.given && crm.KindOf(err) != crm.Conflict) || token != tt.want {
				t.Errorf("GiveBackWait = %v, token %q; want given %v (else a Conflict), token %q", err, token, tt.given, tt.want)
			}
		})
	}
}
