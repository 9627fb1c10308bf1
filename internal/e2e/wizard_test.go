package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// The wizard, end to end: attended imports wait for the tenant's selection
// and decisions, answered through the HTTP API.

var (
	cara = crm.User{ID: "u-cara", Email: "cara@demo.example"}
	dan  = crm.User{ID: "u-dan", Email: "dan@demo.example"}
)

// wizardImport is what the API answers of an attended import.
type wizardImport struct {
	ID       string     `json:"id"`
	Status   crm.Status `json:"status"`
	Reason   string     `json:"reason"`
	Counts   crm.Counts `json:"counts"`
	Attended bool       `json:"attended"`
	Waiting  *struct {
		For  crm.WaitFor `json:"for"`
		User *struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
		ExpiresAt time.Time `json:"expiresAt"`
	} `json:"waiting"`
}

// wizard is one tenant driving attended imports through the API.
type wizard struct {
	st     *stack
	api    string
	tenant string
	token  string
}

func newWizard(t *testing.T, st *stack, tenant string) *wizard {
	t.Helper()
	idp := cip.NewFromConfig(st.cloud.AWS)
	pool, client := st.cloud.Output(t, "USER_POOL_ID"), st.cloud.Output(t, "USER_POOL_CLIENT_ID")
	token := loginWithEmail(t, idp, pool, client, tenant, tenant+"-admin", tenant+"-admin@demo.example", "administrator")
	return &wizard{st: st, api: st.cloud.Output(t, "API_URL"), tenant: tenant, token: token}
}

// startAttended creates an import through the API (POST /imports, with a
// saved configuration when config is not empty) and uploads the file with
// the presigned POST it answers: the job has By, so the import is attended.
func (w *wizard) startAttended(t *testing.T, name string, body []byte, config string) string {
	t.Helper()
	req := map[string]any{"entity": "customers", "fileName": name, "size": len(body)}
	if config != "" {
		req["config"] = config
	}
	data, _ := json.Marshal(req)
	c := createImport(t, w.api, w.token, string(data))
	if code, e := postForm(t, c.Upload.URL, c.Upload.Fields, name, body); code != http.StatusNoContent {
		t.Fatalf("upload of %s = %d %+v, want 204", name, code, e)
	}
	return c.Import.ID
}

// answerAll answers an attended import as a tenant who wants every user:
// no one excluded, then import-all at the first preview. An import that
// ends before (refused at split) is left to end.
func answerAll(t *testing.T, api, token, id string) {
	t.Helper()
	w := &wizard{api: api, token: token}
	if !w.waitOrEnd(t, id, crm.ForSelection) {
		return
	}
	w.post(t, id, "/selection", map[string]any{"exclude": []string{}})
	if !w.waitOrEnd(t, id, crm.ForDecision) {
		return
	}
	w.post(t, id, "/decision", map[string]any{"decision": "import-all", "user": w.waitFor(t, id, crm.ForDecision, "").Waiting.User.ID})
}

// waitOrEnd polls the import until it waits for f (true) or has ended
// (false).
func (w *wizard) waitOrEnd(t *testing.T, id string, f crm.WaitFor) bool {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		var v wizardImport
		if code := sendJSON(t, http.MethodGet, w.url(id, ""), w.token, nil, &v); code == http.StatusOK {
			if v.Waiting != nil && v.Waiting.For == f {
				return true
			}
			if v.Status.Terminal() {
				return false
			}
		}
	}
	t.Fatalf("import %s neither waited for %s nor ended within 90 s", id, f)
	return false
}

// sendJSON calls the API with body as JSON (nil: none), as send does.
func sendJSON(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			t.Fatalf("marshal %T: %v", body, err)
		}
	}
	return send(t, method, url, token, string(data), out)
}

func (w *wizard) url(id, route string) string { return w.api + "/imports/" + id + route }

// post answers a wait and fails the test unless the API takes it.
func (w *wizard) post(t *testing.T, id, route string, body any) wizardImport {
	t.Helper()
	var answer json.RawMessage
	code := sendJSON(t, http.MethodPost, w.url(id, route), w.token, body, &answer)
	if code != http.StatusOK {
		t.Fatalf("POST %s %v = %d %s, want 200", route, body, code, answer)
	}
	var v wizardImport
	if err := json.Unmarshal(answer, &v); err != nil {
		t.Fatalf("POST %s answered %s: %v", route, answer, err)
	}
	return v
}

// waitFor polls the import until it waits for f (for user, when not
// empty), and fails the test when it ends first.
func (w *wizard) waitFor(t *testing.T, id string, f crm.WaitFor, user string) wizardImport {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var v wizardImport
	for time.Now().Before(deadline) {
		v = wizardImport{}
		if code := sendJSON(t, http.MethodGet, w.url(id, ""), w.token, nil, &v); code == http.StatusOK {
			if v.Waiting != nil && v.Waiting.For == f && (user == "" || v.Waiting.User != nil && v.Waiting.User.ID == user) {
				return v
			}
			if v.Status.Terminal() {
				t.Fatalf("import %s ended %s (%s) while the test waited for its %s wait", id, v.Status, v.Reason, f)
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("import %s did not wait for %s %s within 90 s; last seen %+v", id, f, user, v)
	return v
}

// subscribe creates a queue that receives the tenant's events from the
// stack's bus, through a rule of the test's own.
func (st *stack) subscribe(t *testing.T, tenant string) (*sqs.Client, string) {
	t.Helper()
	ctx := context.Background()
	q := sqs.NewFromConfig(st.cloud.AWS)
	eb := eventbridge.NewFromConfig(st.cloud.AWS)
	bus := st.cloud.Output(t, "IMPORT_EVENT_BUS_NAME")
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(tenant + "-events")})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	url := aws.ToString(created.QueueUrl)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	pattern := fmt.Sprintf(`{"source": ["crm-import"], "detail": {"tenant": [%q]}}`, tenant)
	rule := tenant + "-events"
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: &rule, EventBusName: &bus, EventPattern: &pattern}); err != nil {
		t.Fatalf("PutRule: %v", err)
	}
	arn := attrs.Attributes["QueueArn"]
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: &rule, EventBusName: &bus, Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: &arn}}}); err != nil {
		t.Fatalf("PutTargets: %v", err)
	}
	t.Cleanup(func() {
		eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: &rule, EventBusName: &bus, Ids: []string{"queue"}})
		eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: &rule, EventBusName: &bus})
		q.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: &url})
	})
	return q, url
}

// received reads n events from the queue, in the order they arrived, each
// as "DetailType for user" (for and user when the detail has them).
func received(t *testing.T, q *sqs.Client, url string, n int) []string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			var ev struct {
				DetailType string `json:"detail-type"`
				Detail     struct {
					For  string `json:"for"`
					User *struct {
						ID string `json:"id"`
					} `json:"user"`
				} `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatalf("event %q is not JSON: %v", aws.ToString(m.Body), err)
			}
			s := ev.DetailType
			if ev.Detail.For != "" {
				s += " " + ev.Detail.For
			}
			if ev.Detail.User != nil {
				s += " " + ev.Detail.User.ID
			}
			got = append(got, s)
			q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
	}
	return got
}

// agentsFile has rows for anna (2), bo (2), cara (1), dan (1) and one
// agent the CRM does not know.
const agentsFile = "Customer number,Name,Agent email\n" +
	"W-1,Alpha,anna.berg@demo.example\nW-2,Beta,anna.berg@demo.example\n" +
	"W-3,Gamma,bo@demo.example\nW-4,Delta,bo@demo.example\n" +
	"W-5,Epsilon,cara@demo.example\nW-6,Zeta,dan@demo.example\n" +
	"W-7,Eta,nobody@demo.example\n"

type usersAnswer struct {
	Users []struct {
		ID     string         `json:"id"`
		Email  string         `json:"email"`
		Rows   int            `json:"rows"`
		Status crm.UserStatus `json:"status"`
	} `json:"users"`
	Unmatched []struct {
		Value string `json:"value"`
		Rows  int    `json:"rows"`
	} `json:"unmatched"`
}

type resultsAnswer struct {
	Users []struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Status crm.UserStatus `json:"status"`
		Counts crm.Counts     `json:"counts"`
	} `json:"users"`
}

// TestWizardSelectsDecidesAndImportsAll: one agent excluded, import for
// the first user, import-all for the second; the results equal the
// table, the excluded agent has nothing, a decision posted twice is 409,
// another tenant's token changes nothing, and every event arrives in
// order on a queue subscribed to the stack's bus.
func TestWizardSelectsDecidesAndImportsAll(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	for _, u := range []crm.User{anna, bo, cara, dan} {
		st.addUser(t, tn, u)
	}
	w := newWizard(t, st, tn)
	other := newWizard(t, st, newTenant(t))
	q, queue := st.subscribe(t, tn)

	id := w.startAttended(t, "agents.csv", []byte(agentsFile), "")
	v := w.waitFor(t, id, crm.ForSelection, "")
	if !v.Attended || v.Status != crm.Waiting || v.Waiting.ExpiresAt.Before(time.Now().Add(6*24*time.Hour)) {
		t.Errorf("GET /imports/%s = %+v, want attended, WAITING for the selection, for 7 days", id, v)
	}

	var users usersAnswer
	if code := sendJSON(t, http.MethodGet, w.url(id, "/users"), w.token, nil, &users); code != http.StatusOK {
		t.Fatalf("GET /users = %d, want 200", code)
	}
	rows := map[string]int{}
	for _, u := range users.Users {
		rows[u.ID] = u.Rows
	}
	if want := map[string]int{anna.ID: 2, bo.ID: 2, cara.ID: 1, dan.ID: 1}; fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("GET /users rows = %v, want %v", rows, want)
	}
	if len(users.Unmatched) != 1 || users.Unmatched[0].Value != "nobody@demo.example" || users.Unmatched[0].Rows != 1 {
		t.Errorf("GET /users unmatched = %+v, want nobody@demo.example with 1 row", users.Unmatched)
	}

	t.Run("another tenant's token answers 404 on every wizard route and changes nothing", func(t *testing.T) {
		for _, r := range []struct {
			method, route string
			body          any
		}{
			{http.MethodGet, "/users", nil},
			{http.MethodPost, "/selection", map[string]any{"exclude": []string{}}},
			{http.MethodGet, "/preview?user=" + anna.ID, nil},
			{http.MethodPost, "/decision", map[string]any{"decision": "import"}},
			{http.MethodPost, "/resume", map[string]any{"action": "stop"}},
			{http.MethodGet, "/results", nil},
		} {
			var e map[string]string
			if code := sendJSON(t, r.method, other.url(id, r.route), other.token, r.body, &e); code != http.StatusNotFound || e["code"] != string(crm.NotFound) {
				t.Errorf("%s %s with another tenant's token = %d %v, want 404 not_found", r.method, r.route, code, e)
			}
		}
		var after wizardImport
		sendJSON(t, http.MethodGet, w.url(id, ""), w.token, nil, &after)
		if after.Waiting == nil || after.Waiting.For != crm.ForSelection {
			t.Errorf("after the other tenant's requests the import = %+v, want still waiting for the selection", after)
		}
	})

	t.Run("an unknown user in the selection is 400", func(t *testing.T) {
		var e map[string]string
		if code := sendJSON(t, http.MethodPost, w.url(id, "/selection"), w.token, map[string]any{"exclude": []string{"zed@demo.example"}}, &e); code != http.StatusBadRequest || !strings.Contains(e["message"], "zed@demo.example") {
			t.Errorf("POST /selection excluding zed = %d %v, want 400 naming zed", code, e)
		}
	})

	// How long the tenant waits for the workflow after each answer is
	// logged, not asserted: a figure for the record.
	answered := time.Now()
	w.post(t, id, "/selection", map[string]any{"exclude": []string{dan.Email}})
	v = w.waitFor(t, id, crm.ForDecision, "")
	first := v.Waiting.User.ID
	t.Logf("selection -> first preview ready: %s", time.Since(answered).Round(10*time.Millisecond))

	var pv struct {
		User   struct{ ID string } `json:"user"`
		Counts struct {
			Create int `json:"create"`
		} `json:"counts"`
		Rows  []struct{ Action string } `json:"rows"`
		Total int                       `json:"total"`
	}
	if code := sendJSON(t, http.MethodGet, w.url(id, "/preview"), w.token, nil, &pv); code != http.StatusOK || pv.User.ID != first || pv.Counts.Create != rows[first] || pv.Total != rows[first] {
		t.Errorf("GET /preview = %d %+v, want 200, %s creating %d rows", code, pv, first, rows[first])
	}
	answered = time.Now()
	w.post(t, id, "/decision", map[string]any{"decision": "import", "user": first})
	t.Run("a decision posted twice is 409", func(t *testing.T) {
		var e map[string]string
		code := sendJSON(t, http.MethodPost, w.url(id, "/decision"), w.token, map[string]any{"decision": "import", "user": first}, &e)
		if code != http.StatusConflict || e["code"] != string(crm.Conflict) {
			t.Errorf("POST /decision again = %d %v, want 409 conflict", code, e)
		}
	})
	v = w.waitFor(t, id, crm.ForDecision, "")
	second := v.Waiting.User.ID
	if second == first {
		t.Fatalf("the second decision is for %s again", second)
	}
	t.Logf("import of the first user -> second preview ready: %s", time.Since(answered).Round(10*time.Millisecond))
	answered = time.Now()
	w.post(t, id, "/decision", map[string]any{"decision": "import-all", "user": second})

	j := st.waitJob(t, tn, id)
	t.Logf("import-all -> job SUCCEEDED: %s", time.Since(answered).Round(10*time.Millisecond))
	if j.Status != crm.Succeeded {
		t.Fatalf("job = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	if want := (crm.Counts{Rows: 7, Created: 5, Skipped: 2}); j.Counts != want {
		t.Errorf("job counts = %+v, want %+v (dan's row and nobody's not imported)", j.Counts, want)
	}
	var res resultsAnswer
	if code := sendJSON(t, http.MethodGet, w.url(id, "/results"), w.token, nil, &res); code != http.StatusOK {
		t.Fatalf("GET /results = %d, want 200", code)
	}
	for _, r := range res.Users {
		recs := len(st.records(t, tn, r.User.ID))
		switch {
		case r.User.ID == dan.ID:
			if r.Status != crm.UserExcluded || r.Counts.Created != 0 || recs != 0 {
				t.Errorf("dan: result %+v and %d records, want excluded with nothing", r, recs)
			}
		case r.Status != crm.UserImported || r.Counts.Created != rows[r.User.ID] || recs != rows[r.User.ID]:
			t.Errorf("%s: result %+v and %d records, want imported, %d created and in the table", r.User.ID, r, recs, rows[r.User.ID])
		}
	}
	if len(res.Users) != 4 {
		t.Errorf("GET /results = %d users, want 4", len(res.Users))
	}

	got := received(t, q, queue, 4)
	want := []string{"ImportWaiting selection", "ImportWaiting decision " + first, "ImportWaiting decision " + second, "ImportSucceeded"}
	if !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
}

const (
	keepNames      = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "default_policy": "keep", "locale": "en-US"}`
	overwriteNames = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "default_policy": "overwrite", "locale": "en-US"}`
)

// TestWizardBackAndResumeWithNewSettings: back at the second user, then
// continue with another field policy: the first user's records are as the
// old settings left them, the second's as the new ones.
func TestWizardBackAndResumeWithNewSettings(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	st.saveConfig(t, tn, "keep", keepNames)
	st.saveConfig(t, tn, "overwrite", overwriteNames)
	w := newWizard(t, st, tn)
	old := "Customer number,Name,Agent email\nB-1,Old one,anna.berg@demo.example\nB-2,Old two,bo@demo.example\n"
	if j := st.waitJob(t, tn, st.upload(t, tn, "customers", "old.csv", []byte(old), "")); j.Status != crm.Succeeded {
		t.Fatalf("seed import = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}

	file := strings.ReplaceAll(old, "Old", "New")
	id := w.startAttended(t, "new.csv", []byte(file), "keep")
	w.waitFor(t, id, crm.ForSelection, "")
	w.post(t, id, "/selection", map[string]any{"exclude": []string{}})
	first := w.waitFor(t, id, crm.ForDecision, "").Waiting.User.ID
	w.post(t, id, "/decision", map[string]any{"decision": "import", "user": first})
	second := w.waitFor(t, id, crm.ForDecision, "").Waiting.User.ID
	w.post(t, id, "/decision", map[string]any{"decision": "back", "user": second})
	w.waitFor(t, id, crm.ForResume, "")

	t.Run("a change of the mapping is refused in words", func(t *testing.T) {
		var e map[string]string
		inline := json.RawMessage(`{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "mapping": {"Name": "city"}, "locale": "en-US"}`)
		code := sendJSON(t, http.MethodPost, w.url(id, "/resume"), w.token, map[string]any{"action": "continue", "inlineConfig": inline}, &e)
		if code != http.StatusBadRequest || !strings.Contains(e["message"], "mapping of column Name") {
			t.Errorf("POST /resume with another mapping = %d %v, want 400 naming the mapping", code, e)
		}
	})
	w.post(t, id, "/resume", map[string]any{"action": "continue", "config": "overwrite"})
	w.waitFor(t, id, crm.ForDecision, second)
	w.post(t, id, "/decision", map[string]any{"decision": "import", "user": second})

	j := st.waitJob(t, tn, id)
	if j.Status != crm.Succeeded {
		t.Fatalf("job = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	name := func(user string) string {
		for _, r := range st.records(t, tn, user) {
			return r.Fields["name"]
		}
		return ""
	}
	prefix := map[string]string{first: "Old", second: "New"}
	for user, want := range prefix {
		if got := name(user); !strings.HasPrefix(got, want) {
			t.Errorf("%s's customer is named %q, want %s... (the settings in force when it was decided)", user, got, want)
		}
	}
}

// TestWizardBackAndStop: back, then stop: the job ends STOPPED and nothing
// of the user in turn is applied.
func TestWizardBackAndStop(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	w := newWizard(t, st, tn)
	q, queue := st.subscribe(t, tn)
	file := "Customer number,Name,Agent email\nS-1,One,anna.berg@demo.example\nS-2,Two,bo@demo.example\n"
	id := w.startAttended(t, "stop.csv", []byte(file), "")
	w.waitFor(t, id, crm.ForSelection, "")
	w.post(t, id, "/selection", map[string]any{"exclude": []string{}})
	first := w.waitFor(t, id, crm.ForDecision, "").Waiting.User.ID
	w.post(t, id, "/decision", map[string]any{"decision": "import", "user": first})
	second := w.waitFor(t, id, crm.ForDecision, "").Waiting.User.ID
	w.post(t, id, "/decision", map[string]any{"decision": "back", "user": second})
	w.waitFor(t, id, crm.ForResume, "")
	w.post(t, id, "/resume", map[string]any{"action": "stop"})

	j := st.waitJob(t, tn, id)
	if j.Status != crm.Stopped || !strings.Contains(j.Reason, "1 of its 2 users") {
		t.Errorf("job = %s (%s), want STOPPED saying 1 of its 2 users was imported", j.Status, j.Reason)
	}
	if n, m := len(st.records(t, tn, first)), len(st.records(t, tn, second)); n != 1 || m != 0 {
		t.Errorf("records: %s %d, %s %d; want 1 and 0", first, n, second, m)
	}
	got := received(t, q, queue, 5)
	want := []string{"ImportWaiting selection", "ImportWaiting decision " + first, "ImportWaiting decision " + second, "ImportWaiting resume", "ImportStopped"}
	if !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
}

// TestWizardWaitExpires: a tenant whose waits last 2 s; nobody answers the
// selection, the job ends EXPIRED, and an answer after it is 409.
func TestWizardWaitExpires(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	if err := st.tenants.PutProfile(context.Background(), tn, crm.Profile{WaitSeconds: 2}); err != nil {
		t.Fatalf("PutProfile: %v", err)
	}
	w := newWizard(t, st, tn)
	q, queue := st.subscribe(t, tn)
	file := "Customer number,Name,Agent email\nX-1,One,anna.berg@demo.example\nX-2,Two,bo@demo.example\n"
	id := w.startAttended(t, "expire.csv", []byte(file), "")

	j := st.waitJob(t, tn, id)
	if j.Status != crm.Expired || !strings.Contains(j.Reason, "2 seconds for your selection") {
		t.Errorf("job = %s (%s), want EXPIRED after 2 seconds waiting for the selection", j.Status, j.Reason)
	}
	for _, u := range []string{anna.ID, bo.ID} {
		if n := len(st.records(t, tn, u)); n != 0 {
			t.Errorf("%s has %d records, want none", u, n)
		}
	}
	var e map[string]string
	if code := sendJSON(t, http.MethodPost, w.url(id, "/selection"), w.token, map[string]any{"exclude": []string{}}, &e); code != http.StatusConflict {
		t.Errorf("POST /selection after the wait expired = %d %v, want 409", code, e)
	}
	got := received(t, q, queue, 2)
	if want := []string{"ImportWaiting selection", "ImportExpired"}; !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
}
