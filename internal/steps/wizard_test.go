package steps

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

const wizardConfig = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "default_policy": "keep", "locale": "de-DE"}`

func (f *fixture) next() *Next {
	return &Next{Files: f.files, Jobs: f.jobs, Tenants: f.tenants, Leases: f.leases, Limits: f.limits, WaitSeconds: 3600, Log: discard}
}

// wizardJob creates the job of an import split into anna and bo, with the
// configuration in force, created by a person (attended) or not.
func (f *fixture) wizardJob(t *testing.T, by, config string) State {
	t.Helper()
	s := State{ImportID: "imp-w", Tenant: tenant, Entity: "customers", Rows: 3}
	m, err := putMapItems(context.Background(), f.files, s.work(), []crm.UserRef{{ID: anna.ID, Email: anna.Email, Rows: 2}, {ID: bo.ID, Email: bo.Email, Rows: 1}})
	if err != nil {
		t.Fatal(err)
	}
	s.Map = m
	if _, err := f.jobs.Create(context.Background(), crm.Job{Tenant: tenant, ID: s.ImportID, Status: crm.Applying, By: by}); err != nil {
		t.Fatal(err)
	}
	f.files.Add(s.work().Config(), []byte(config), nil)
	return s
}

// step runs the next step and fails the test on an error.
func step(t *testing.T, n *Next, s State) State {
	t.Helper()
	out, err := n.Handle(context.Background(), s)
	if err != nil {
		t.Fatalf("Next.Handle(%s after %+v) = %v", s.ImportID, s.Wizard, err)
	}
	// The state goes through the workflow as JSON.
	data, _ := json.Marshal(out)
	var back State
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// answer puts the tenant's answer in the state, as the wait task's
// ResultPath does.
func answer(s State, v any) State {
	s.Wizard.Answer, _ = json.Marshal(v)
	return s
}

// ran puts a task's output in the state, as the ResultSelector does.
func ran(s State, v any) State {
	data, _ := json.Marshal(v)
	s.Wizard.Done = &taskOutput{Payload: data}
	return s
}

func TestNextSendsAnUnattendedImportToTheMap(t *testing.T) {
	tests := []struct {
		name, by, config string
	}{
		{"a file a sync dropped", "", wizardConfig},
		{"a configuration that says unattended", "ada@acme.example", strings.Replace(wizardConfig, `"version": 1`, `"version": 1, "unattended": true`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := step(t, f.next(), f.wizardJob(t, tt.by, tt.config))
			if users := f.mapItems(t, s); s.Wizard.Next != NextAll || len(users) != 2 {
				t.Errorf("Next.Handle = %+v with users %v, want all and both users", s.Wizard, users)
			}
			if j, _ := f.jobs.Get(context.Background(), tenant, s.ImportID); j.Attended {
				t.Errorf("job attended = true, want false")
			}
		})
	}
}

func TestNextWaitsForTheSelectionOfAnAttendedImport(t *testing.T) {
	tests := []struct {
		name    string
		profile crm.Profile
		want    int
	}{
		{"the stack's wait", crm.Profile{}, 3600},
		{"the tenant's own wait", crm.Profile{WaitSeconds: 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.tenants.PutProfile(tenant, tt.profile)
			s := step(t, f.next(), f.wizardJob(t, "ada@acme.example", wizardConfig))
			if s.Wizard.Next != NextWait || s.Wizard.For != crm.ForSelection || s.Wizard.WaitSeconds != tt.want {
				t.Errorf("Next.Handle = %+v, want a wait for the selection of %d s", s.Wizard, tt.want)
			}
			if j, _ := f.jobs.Get(context.Background(), tenant, s.ImportID); !j.Attended {
				t.Errorf("job attended = false, want true")
			}
		})
	}
}

// TestNextAfterEachAnswer walks the loop: what comes next after each
// answer of the tenant and each task.
func TestNextAfterEachAnswer(t *testing.T) {
	ctx := context.Background()
	plan := func(u crm.User) UserPlan {
		return UserPlan{UserTask: UserTask{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: u.ID, Email: u.Email}}, Entity: "customers"}
	}
	result := func(u crm.User) crm.UserResult {
		return crm.UserResult{ImportID: "imp-w", Tenant: tenant, User: crm.UserRef{ID: u.ID}, Counts: crm.Counts{Created: 1}}
	}
	// selected: the state after the selection excluded nobody, with anna's
	// preview waiting for a decision.
	selected := func(t *testing.T, f *fixture) State {
		n := f.next()
		s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
		s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
		return step(t, n, ran(s, plan(anna)))
	}
	tests := []struct {
		name  string
		steps func(t *testing.T, f *fixture, n *Next) State
		// want: what runs next, for whom (the user in turn), the Map's
		// users, the users applied one by one, and each user's status.
		next     string
		turn     string
		mapUsers []string
		applied  []string
		status   map[string]crm.UserStatus
	}{
		{
			name: "a selection excluding bo previews anna",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
				return step(t, n, answer(s, SelectionAnswer{Exclude: []string{bo.ID}}))
			},
			next: NextPreview, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing, bo.ID: crm.UserExcluded},
		},
		{
			name: "a selection excluding everyone closes the job",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
				return step(t, n, answer(s, SelectionAnswer{Exclude: []string{anna.ID, bo.ID}}))
			},
			next:   NextFinalize,
			status: map[string]crm.UserStatus{anna.ID: crm.UserExcluded, bo.ID: crm.UserExcluded},
		},
		{
			name:  "a preview waits for the decision",
			steps: func(t *testing.T, f *fixture, n *Next) State { return selected(t, f) },
			next:  NextWait, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
		{
			name: "import applies the user in turn",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				return step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideImport}))
			},
			next: NextApply, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
		{
			name: "after the apply the next user is previewed",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				s := step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideImport}))
				return step(t, n, ran(s, result(anna)))
			},
			next: NextPreview, turn: bo.ID, mapUsers: []string{anna.ID, bo.ID}, applied: []string{anna.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserImported, bo.ID: crm.UserPreviewing},
		},
		{
			name: "skip goes on to the next user without applying",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				return step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideSkip}))
			},
			next: NextPreview, turn: bo.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserSkipped, bo.ID: crm.UserPreviewing},
		},
		{
			name: "import-all sends the user in turn and the rest to the Map",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				return step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideImportAll}))
			},
			next: NextAll, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
		{
			name: "back waits for continue or stop, applying nothing",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				return step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideBack}))
			},
			next: NextWait, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
		{
			name: "continue previews the user in turn again",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				s := step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideBack}))
				return step(t, n, answer(s, ResumeAnswer{Action: ResumeContinue}))
			},
			next: NextPreview, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
		{
			name: "stop closes the job",
			steps: func(t *testing.T, f *fixture, n *Next) State {
				s := step(t, n, answer(selected(t, f), DecisionAnswer{Decision: DecideBack}))
				return step(t, n, answer(s, ResumeAnswer{Action: ResumeStop}))
			},
			next: NextFinalize, turn: anna.ID, mapUsers: []string{anna.ID, bo.ID},
			status: map[string]crm.UserStatus{anna.ID: crm.UserPreviewing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := tt.steps(t, f, f.next())
			wz := s.Wizard
			turn := ""
			if len(wz.Left) > 0 {
				turn = wz.Left[0].ID
			}
			var mapUsers, applied []string
			for _, u := range f.mapItems(t, s) {
				mapUsers = append(mapUsers, u.ID)
			}
			for _, r := range wz.Results {
				applied = append(applied, r.User.ID)
			}
			if wz.Next != tt.next || turn != tt.turn || !slices.Equal(mapUsers, tt.mapUsers) || !slices.Equal(applied, tt.applied) {
				t.Errorf("Next.Handle = next %q, turn %q, map %v, applied %v; want %q, %q, %v, %v", wz.Next, turn, mapUsers, applied, tt.next, tt.turn, tt.mapUsers, tt.applied)
			}
			j, _ := f.jobs.Get(ctx, tenant, s.ImportID)
			for u, want := range tt.status {
				if got := j.UserStatus[u]; got != want {
					t.Errorf("status of %s = %q, want %q", u, got, want)
				}
			}
			if len(wz.All) != 2 {
				t.Errorf("all users = %v, want both", wz.All)
			}
		})
	}
}

func TestNextContinueWritesTheNewSettings(t *testing.T) {
	f := newFixture(t)
	n := f.next()
	s := step(t, n, f.wizardJob(t, "ada@acme.example", wizardConfig))
	s = step(t, n, answer(s, SelectionAnswer{Exclude: []string{}}))
	s = step(t, n, ran(s, UserPlan{UserTask: UserTask{User: crm.UserRef{ID: anna.ID}}, Entity: "customers"}))
	s = step(t, n, answer(s, DecisionAnswer{Decision: DecideBack}))
	raw := json.RawMessage(strings.Replace(wizardConfig, `"keep"`, `"overwrite"`, 1))
	step(t, n, answer(s, ResumeAnswer{Action: ResumeContinue, Config: raw}))
	cfg, err := readConfig(context.Background(), f.files, s.work())
	if err != nil || cfg.DefaultPolicy != crm.Overwrite {
		t.Errorf("config after continue = %+v, %v, want default policy overwrite", cfg, err)
	}
}

func TestResumeConfigRefusesWhatWouldReadTheRowsAgain(t *testing.T) {
	old := mustParse(t, strings.Replace(wizardConfig, `"locale"`, `"mapping": {"Nr": "customer_number"}, "locale"`, 1))
	tests := []struct {
		name, raw string
		refused   string // "" for accepted
	}{
		{"another field policy", strings.Replace(wizardConfig, `"keep"`, `"overwrite"`, 1), ""},
		{"the same mapping", strings.Replace(wizardConfig, `"locale"`, `"mapping": {"Nr": "customer_number"}, "locale"`, 1), ""},
		{"another mapping", strings.Replace(wizardConfig, `"locale"`, `"mapping": {"Nr": "name"}, "locale"`, 1), "mapping of column Nr"},
		{"another locale", strings.Replace(wizardConfig, `"de-DE"`, `"en-US"`, 1), "locale"},
		{"another entity", `{"version": 1, "entity": "contacts", "locale": "de-DE"}`, "entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResumeConfig(old, []byte(tt.raw))
			switch {
			case tt.refused == "" && err != nil:
				t.Errorf("ResumeConfig(%s) = %v, want accepted", tt.name, err)
			case tt.refused == "" && got.Mapping["Nr"] != "customer_number":
				t.Errorf("ResumeConfig(%s) mapping = %v, want the file's", tt.name, got.Mapping)
			case tt.refused != "" && (crm.KindOf(err) != crm.Invalid || !strings.Contains(crm.Message(err), tt.refused)):
				t.Errorf("ResumeConfig(%s) = %v, want invalid naming %q", tt.name, err, tt.refused)
			}
		})
	}
}

func mustParse(t *testing.T, raw string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(raw))
	if err != nil {
		t.Fatalf("config.Parse(%s) = %v", raw, err)
	}
	return c
}
