package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// apiCreated is the answer of POST /imports.
type apiCreated struct {
	Import struct {
		ID     string     `json:"id"`
		Status crm.Status `json:"status"`
		File   string     `json:"file"`
	} `json:"import"`
	Upload struct {
		URL       string            `json:"url"`
		Method    string            `json:"method"`
		Fields    map[string]string `json:"fields"`
		MaxBytes  int64             `json:"maxBytes"`
		ExpiresAt time.Time         `json:"expiresAt"`
	} `json:"upload"`
}

// s3ErrorAnswer is S3's XML error, as the edge answers a refused form.
type s3ErrorAnswer struct {
	Code           string `xml:"Code"`
	Message        string `xml:"Message"`
	MaxSizeAllowed int64  `xml:"MaxSizeAllowed"`
}

// uploadLimit is the test tenant's upload limit (its PROFILE): small, so a
// file over it is quick to make.
const uploadLimit = 64 << 10

// TestAPIUploadsThroughAPresignedPost creates imports through the deployed
// API and uploads their files with the presigned POST it answers, as a
// browser or the CLI would: a good form imports under the import id the
// API gave; a file over the tenant's limit, a different key and an expired
// policy are refused by the bucket (the edge checks the policy as S3 does,
// moto does not); an inline configuration is the one the import runs
// under; a plain user's file is theirs, and may not name another agent.
func TestAPIUploadsThroughAPresignedPost(t *testing.T) {
	st := newStack(t)
	ctx := context.Background()
	apiURL := st.cloud.Output(t, "API_URL")
	pool := st.cloud.Output(t, "USER_POOL_ID")
	client := st.cloud.Output(t, "USER_POOL_CLIENT_ID")
	idp := cip.NewFromConfig(st.cloud.AWS)

	tn := newTenant(t)
	anna := crm.User{ID: "u-anna", Email: tn + "-anna@acme.example"}
	bo := crm.User{ID: "u-bo", Email: tn + "-bo@acme.example"}
	st.addUser(t, tn, anna)
	st.addUser(t, tn, bo)
	if err := st.tenants.PutProfile(ctx, tn, crm.Profile{MaxUploadBytes: uploadLimit}); err != nil {
		t.Fatal(err)
	}
	admin := loginWithEmail(t, idp, pool, client, tn, tn+"-boss", tn+"-boss@acme.example", "administrator")
	clerk := loginWithEmail(t, idp, pool, client, tn, tn+"-anna", anna.Email, "user")
	agents := []byte("Customer number,Name,Agent email\n1001,Müller GmbH," + anna.Email + "\n1002,Rossi S.r.l.," + bo.Email + "\n")

	t.Run("a declared size over the tenant's limit is refused before the upload", func(t *testing.T) {
		var body map[string]string
		code := send(t, http.MethodPost, apiURL+"/imports", admin, `{"entity":"customers","fileName":"big.csv","size":1048576}`, &body)
		if code != http.StatusBadRequest || body["message"] != "the file is 1.0 MB; one import may be at most 0.1 MB: split the file, or leave out the columns that are not imported" {
			t.Errorf("POST /imports of 1 MiB = %d %v, want 400 with both sizes", code, body)
		}
	})

	var first apiCreated
	t.Run("a good form imports under the API's import id", func(t *testing.T) {
		first = createImport(t, apiURL, admin, `{"entity":"customers","fileName":"agents.csv","size":`+fmt.Sprint(len(agents))+`}`)
		wantKey := "incoming/" + tn + "/customers/" + first.Import.ID + "/agents.csv"
		if first.Import.Status != crm.Uploading || first.Upload.Fields["key"] != wantKey || first.Upload.MaxBytes != uploadLimit {
			t.Fatalf("POST /imports = %+v, want UPLOADING, key %s, max %d", first, wantKey, uploadLimit)
		}
		if code, e := postForm(t, first.Upload.URL, first.Upload.Fields, "agents.csv", agents); code != http.StatusNoContent {
			t.Fatalf("upload = %d %+v, want 204", code, e)
		}
		// An import created through the API is attended (the wizard).
		answerAll(t, apiURL, admin, first.Import.ID)
		j := st.waitJob(t, tn, first.Import.ID)
		if j.Status != crm.Succeeded || j.Counts.Created != 2 || j.By != tn+"-boss@acme.example" || j.Role != "administrator" || j.Key != wantKey {
			t.Errorf("job = %s (%s), %+v, by %s as %s, want SUCCEEDED, 2 created, by the administrator", j.Status, j.Reason, j.Counts, j.By, j.Role)
		}
		if n := len(st.records(t, tn, anna.ID)) + len(st.records(t, tn, bo.ID)); n != 2 {
			t.Errorf("records = %d, want 2", n)
		}
	})

	refusals := []struct {
		name     string
		change   func(f map[string]string) map[string]string
		file     []byte
		wantCode string
		wantMsg  string
	}{
		{
			name: "a file over the limit is refused by the bucket", file: bytes.Repeat([]byte("x"), uploadLimit+1),
			wantCode: "EntityTooLarge", wantMsg: "exceeds the maximum allowed size",
		},
		{
			name: "a different key is refused by the bucket",
			change: func(f map[string]string) map[string]string {
				f["key"] = "incoming/" + tn + "/customers/elsewhere.csv"
				return f
			},
			file: agents, wantCode: "AccessDenied", wantMsg: "Policy Condition failed",
		},
		{
			name:   "an expired policy is refused by the bucket",
			change: func(f map[string]string) map[string]string { return withExpiration(t, f, time.Now().Add(-time.Minute)) },
			file:   agents, wantCode: "AccessDenied", wantMsg: "Policy expired",
		},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			c := createImport(t, apiURL, admin, `{"entity":"customers","fileName":"agents.csv","size":100}`)
			fields := maps.Clone(c.Upload.Fields)
			if tt.change != nil {
				fields = tt.change(fields)
			}
			code, e := postForm(t, c.Upload.URL, fields, "agents.csv", tt.file)
			if code/100 != 4 || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("upload = %d %+v, want %s naming %q", code, e, tt.wantCode, tt.wantMsg)
			}
			for _, key := range []string{c.Upload.Fields["key"], fields["key"]} {
				_, err := st.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &st.bucket, Key: aws.String(key)})
				if var404 := new(s3types.NotFound); !errors.As(err, &var404) {
					t.Errorf("HeadObject(%s) = %v, want NotFound: the refused file is not stored", key, err)
				}
			}
			if j, err := st.jobs.Get(ctx, tn, c.Import.ID); err != nil || j.Status != crm.Uploading {
				t.Errorf("job = %s, %v, want still UPLOADING", j.Status, err)
			}
		})
	}

	t.Run("an inline configuration is the one the import runs under", func(t *testing.T) {
		inline := `{"version":1,"entity":"customers","mode":"update","key_fields":["customer_number"]}`
		c := createImport(t, apiURL, admin, `{"entity":"customers","inlineConfig":`+inline+`,"fileName":"again.csv","size":100}`)
		if code, e := postForm(t, c.Upload.URL, c.Upload.Fields, "again.csv", agents); code != http.StatusNoContent {
			t.Fatalf("upload = %d %+v, want 204", code, e)
		}
		// The same rows again, under update by customer number: unchanged,
		// where the defaults (add) would have skipped them.
		answerAll(t, apiURL, admin, c.Import.ID)
		j := st.waitJob(t, tn, c.Import.ID)
		if j.Status != crm.Succeeded || j.Counts.Unchanged != 2 || !j.InlineConfig {
			t.Errorf("job = %s (%s), %+v, want SUCCEEDED, 2 unchanged, under the inline configuration", j.Status, j.Reason, j.Counts)
		}
	})

	t.Run("a plain user's file without an agent column is theirs", func(t *testing.T) {
		own := []byte("Customer number,Name\n2001,Nordlicht Optik\n2002,Sol y Mar\n")
		c := createImport(t, apiURL, clerk, `{"entity":"customers","fileName":"mine.csv","size":100}`)
		if code, e := postForm(t, c.Upload.URL, c.Upload.Fields, "mine.csv", own); code != http.StatusNoContent {
			t.Fatalf("upload = %d %+v, want 204", code, e)
		}
		answerAll(t, apiURL, clerk, c.Import.ID)
		j := st.waitJob(t, tn, c.Import.ID)
		if j.Status != crm.Succeeded || j.Counts.Created != 2 || j.Users != 1 {
			t.Errorf("job = %s (%s), %+v, %d users, want SUCCEEDED, 2 created for 1 user", j.Status, j.Reason, j.Counts, j.Users)
		}
		if mine := byField(st.records(t, tn, anna.ID), "customer_number"); len(mine) != 3 || mine["2001"].ID == "" {
			t.Errorf("anna's records = %v, want her earlier one and both of the file's", mine)
		}
	})

	t.Run("a plain user's file naming another agent is refused", func(t *testing.T) {
		c := createImport(t, apiURL, clerk, `{"entity":"customers","fileName":"theirs.csv","size":100}`)
		if code, e := postForm(t, c.Upload.URL, c.Upload.Fields, "theirs.csv", agents); code != http.StatusNoContent {
			t.Fatalf("upload = %d %+v, want 204", code, e)
		}
		j := st.waitJob(t, tn, c.Import.ID)
		want := fmt.Sprintf("row 3 names %q as its sales agent, but you may import only your own records", bo.Email)
		if j.Status != crm.Failed || !strings.Contains(j.Reason, want) {
			t.Errorf("job = %s (%s), want FAILED: %s", j.Status, j.Reason, want)
		}
	})

	t.Run("the imports are listed newest first, a page at a time", func(t *testing.T) {
		var all []string
		next := ""
		for range 20 {
			var page struct {
				Imports []struct{ ID string }
				Next    string
			}
			url := apiURL + "/imports?limit=2"
			if next != "" {
				url += "&next=" + next
			}
			if code := call(t, url, admin, &page); code != http.StatusOK || len(page.Imports) > 2 {
				t.Fatalf("GET %s = %d, %d imports, want 200 and at most 2", url, code, len(page.Imports))
			}
			for _, i := range page.Imports {
				all = append(all, i.ID)
			}
			if next = page.Next; next == "" {
				break
			}
		}
		jobs, _ := st.jobs.List(ctx, tn)
		var want []string
		for _, j := range jobs {
			want = append(want, j.ID)
		}
		if !slices.Equal(all, want) || len(all) != 7 {
			t.Errorf("pages gave %q, want the tenant's 7 imports newest first, %q", all, want)
		}
	})

	t.Run("a saved configuration downloads as its file", func(t *testing.T) {
		const saved = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`
		st.saveConfig(t, tn, "by-number", saved)
		code, h, body := get(t, apiURL+"/configs/by-number/file", admin)
		if code != http.StatusOK || string(body) != saved || h.Get("Content-Disposition") != "attachment; filename=by-number.json" {
			t.Errorf("GET /configs/by-number/file = %d %q %q, want the JSON as saved, as by-number.json", code, h.Get("Content-Disposition"), body)
		}
	})

	t.Run("a template downloads in the language and format asked for", func(t *testing.T) {
		code, h, body := get(t, apiURL+"/templates/customers?lang=de&format=csv", clerk)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if code != http.StatusOK || err != nil || len(rows) != 2 || !strings.Contains(strings.Join(rows[0], ","), "Kundennummer") {
			t.Errorf("GET /templates/customers?lang=de&format=csv = %d %q, %v, want German titles and an example", code, body, err)
		}
		if !strings.Contains(h.Get("Content-Disposition"), "customers-de.csv") {
			t.Errorf("Content-Disposition = %q, want customers-de.csv", h.Get("Content-Disposition"))
		}
	})
}

// createImport posts body to POST /imports and returns the 201 answer.
func createImport(t *testing.T, apiURL, token, body string) apiCreated {
	t.Helper()
	var c apiCreated
	if code := send(t, http.MethodPost, apiURL+"/imports", token, body, &c); code != http.StatusCreated {
		t.Fatalf("POST /imports %s = %d %+v, want 201", body, code, c)
	}
	return c
}

// postForm uploads file with the presigned form, as a browser does: every
// field, then the file as the last part.
func postForm(t *testing.T, url string, fields map[string]string, name string, file []byte) (int, s3ErrorAnswer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		_ = mw.WriteField(k, fields[k])
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e s3ErrorAnswer
	_ = xml.Unmarshal(body, &e)
	return resp.StatusCode, e
}

// withExpiration is the form with its policy's expiration changed and the
// policy signed again with the local cloud's secret key, so that only the
// expiry is wrong.
func withExpiration(t *testing.T, fields map[string]string, at time.Time) map[string]string {
	t.Helper()
	raw, _ := base64.StdEncoding.DecodeString(fields["policy"])
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("policy is not JSON: %v", err)
	}
	doc["expiration"] = at.UTC().Format(time.RFC3339)
	raw, _ = json.Marshal(doc)
	out := maps.Clone(fields)
	out["policy"] = base64.StdEncoding.EncodeToString(raw)
	scope := strings.Split(fields["X-Amz-Credential"], "/")
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4test"), scope[1]), scope[2]), scope[3]), "aws4_request")
	out["X-Amz-Signature"] = hex.EncodeToString(mac(key, out["policy"]))
	return out
}

// loginWithEmail is loginAs for a user with an e-mail address, which the
// ID token's email claim carries: the user a plain user's import is for.
func loginWithEmail(t *testing.T, idp *cip.Client, pool, client, tenant, user, email string, groups ...string) string {
	t.Helper()
	password := "Correct-Horse-7" + randomHex(4)
	addPoolUser(t, idp, pool, tenant, user, email, password, groups...)
	token := signIn(t, idp, client, user, password)
	if got := claimsOf(t, token)["email"]; got != email {
		t.Fatalf("ID token's email claim = %v, want %s", got, email)
	}
	return token
}
