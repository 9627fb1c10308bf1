package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/crmimport/crm-import/internal/crm"
)

// apiImport is what the API answers of one import.
type apiImport struct {
	ID     string     `json:"id"`
	Entity string     `json:"entity"`
	File   string     `json:"file"`
	Status crm.Status `json:"status"`
	Counts crm.Counts `json:"counts"`
	Done   int        `json:"done"`
	Total  int        `json:"total"`
}

// TestAPIAnswersEachTenantItsOwnImports drives the HTTP API as a tenant's
// browser would: users of two tenants log in to the deployed user pool,
// tenant A imports a file, and each token sees only its own tenant's
// imports; a request without a valid token never reaches the function.
func TestAPIAnswersEachTenantItsOwnImports(t *testing.T) {
	st := newStack(t)
	apiURL := st.cloud.Output(t, "API_URL")
	pool := st.cloud.Output(t, "USER_POOL_ID")
	client := st.cloud.Output(t, "USER_POOL_CLIENT_ID")
	idp := cip.NewFromConfig(st.cloud.AWS)

	tenantA, tenantB := newTenant(t), newTenant(t)
	tokenA := login(t, idp, pool, client, tenantA)
	tokenB := login(t, idp, pool, client, tenantB)

	st.addUser(t, tenantA, anna)
	st.saveConfig(t, tenantA, "customers-de", germanCustomers)
	id := st.upload(t, tenantA, "customers", "customers.csv", readFile(t, "testdata/sample/customers.csv"), "customers-de")
	if j := st.waitJob(t, tenantA, id); j.Status != crm.Succeeded {
		t.Fatalf("import %s = %s (%s), want SUCCEEDED", id, j.Status, j.Reason)
	}

	t.Run("A lists its import", func(t *testing.T) {
		var list struct{ Imports []apiImport }
		if code := call(t, apiURL+"/imports", tokenA, &list); code != http.StatusOK {
			t.Fatalf("GET /imports as A = %d, want 200", code)
		}
		if len(list.Imports) != 1 || list.Imports[0].ID != id || list.Imports[0].Status != crm.Succeeded {
			t.Errorf("GET /imports as A = %+v, want the one import %s, SUCCEEDED", list.Imports, id)
		}
	})
	t.Run("A gets its import", func(t *testing.T) {
		var got apiImport
		if code := call(t, apiURL+"/imports/"+id, tokenA, &got); code != http.StatusOK {
			t.Fatalf("GET /imports/%s as A = %d, want 200", id, code)
		}
		want := apiImport{ID: id, Entity: "customers", File: "customers.csv", Status: crm.Succeeded, Counts: crm.Counts{Rows: 12, Created: 12}, Done: 12, Total: 12}
		if got != want {
			t.Errorf("GET /imports/%s as A = %+v, want %+v", id, got, want)
		}
	})
	t.Run("B gets 404 on A's import, as on a missing one", func(t *testing.T) {
		var theirs, missing map[string]string
		codeTheirs := call(t, apiURL+"/imports/"+id, tokenB, &theirs)
		codeMissing := call(t, apiURL+"/imports/"+strings.Repeat("0", len(id)), tokenB, &missing)
		if codeTheirs != http.StatusNotFound || theirs["code"] != string(crm.NotFound) {
			t.Errorf("GET /imports/%s as B = %d %v, want 404 not_found", id, codeTheirs, theirs)
		}
		if codeMissing != codeTheirs || strings.ReplaceAll(missing["message"], strings.Repeat("0", len(id)), id) != theirs["message"] {
			t.Errorf("GET of a missing import as B = %d %v, want the answer to A's id (%d %v)", codeMissing, missing, codeTheirs, theirs)
		}
	})
	t.Run("B lists nothing", func(t *testing.T) {
		var list struct{ Imports []apiImport }
		if code := call(t, apiURL+"/imports", tokenB, &list); code != http.StatusOK || list.Imports == nil || len(list.Imports) != 0 {
			t.Errorf("GET /imports as B = %d %+v, want 200 and an empty list", code, list.Imports)
		}
	})

	// Tokens the authorizer refuses. The pool's own key signs the expired
	// and the wrong-audience tokens, and a fresh token that is answered,
	// so that only expiry or audience tells them apart.
	claimsA := claimsOf(t, tokenA)
	fresh := withClaims(claimsA, map[string]any{"exp": time.Now().Add(time.Hour).Unix()})
	if code := call(t, apiURL+"/imports/"+id, signWithPoolKey(t, fresh), nil); code != http.StatusOK {
		t.Fatalf("GET with a fresh token signed by the pool's key = %d, want 200: the refusals below would prove nothing", code)
	}
	refused := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"a token that expired", signWithPoolKey(t, withClaims(claimsA, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}))},
		{"a token for another app client", signWithPoolKey(t, withClaims(fresh, map[string]any{"aud": "another-client"}))},
		{"a token of another issuer", signWithPoolKey(t, withClaims(fresh, map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}))},
		{"a token signed by another key", forge(t, fresh)},
		{"B's token with A's tenant written in", retenant(t, tokenB, tenantA)},
		{"a token that is not a JWT", "not-a-token"},
	}
	for _, tt := range refused {
		t.Run("401 for "+tt.name, func(t *testing.T) {
			var body map[string]string
			if code := call(t, apiURL+"/imports/"+id, tt.token, &body); code != http.StatusUnauthorized || body["message"] != "Unauthorized" {
				t.Errorf("GET /imports/%s with %s = %d %v, want 401 Unauthorized", id, tt.name, code, body)
			}
		})
	}
}

// login creates a user of tenant in the pool, in no group, and returns its
// ID token.
func login(t *testing.T, idp *cip.Client, pool, client, tenant string) string {
	t.Helper()
	return loginAs(t, idp, pool, client, tenant, tenant+"-admin")
}

// loginAs creates user of tenant in the pool, in the groups, and returns
// the ID token InitiateAuth gives it (its cognito:groups claim names the
// groups).
func loginAs(t *testing.T, idp *cip.Client, pool, client, tenant, user string, groups ...string) string {
	t.Helper()
	password := "Correct-Horse-7" + randomHex(4)
	addPoolUser(t, idp, pool, tenant, user, "", password, groups...)
	return signIn(t, idp, client, user, password)
}

// addPoolUser creates user of tenant in the pool, in the groups, with a
// permanent password, as an administrator of the tenant would. email, when
// set, is the user's verified e-mail address, which the ID token's email
// claim carries.
func addPoolUser(t *testing.T, idp *cip.Client, pool, tenant, user, email, password string, groups ...string) {
	t.Helper()
	ctx := context.Background()
	attrs := []ciptypes.AttributeType{{Name: aws.String("custom:tenant"), Value: &tenant}}
	if email != "" {
		attrs = append(attrs,
			ciptypes.AttributeType{Name: aws.String("email"), Value: &email},
			ciptypes.AttributeType{Name: aws.String("email_verified"), Value: aws.String("true")})
	}
	_, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: &user, MessageAction: ciptypes.MessageActionTypeSuppress, UserAttributes: attrs,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser(%s) = %v", user, err)
	}
	for _, g := range groups {
		if _, err := idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &pool, Username: &user, GroupName: &g}); err != nil {
			t.Fatalf("AdminAddUserToGroup(%s, %s) = %v", user, g, err)
		}
	}
	if _, err := idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: &user, Password: &password, Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword(%s) = %v", user, err)
	}
}

// signIn returns the ID token InitiateAuth (USER_PASSWORD_AUTH) gives user.
func signIn(t *testing.T, idp *cip.Client, client, user, password string) string {
	t.Helper()
	out, err := idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: &client, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password},
	})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("InitiateAuth(%s) = %v, want tokens", user, err)
	}
	return aws.ToString(out.AuthenticationResult.IdToken)
}

// call GETs url with the bearer token ("": none), as send does.
func call(t *testing.T, url, token string, out any) int {
	t.Helper()
	return send(t, http.MethodGet, url, token, "", out)
}

// send makes a request with the bearer token ("": none) and body ("":
// none), decodes the JSON answer into out (when not nil) and returns the
// status.
func send(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatalf("NewRequest(%s %s) = %v", method, url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s = %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s answered %d %q, not JSON: %v", method, url, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// claimsOf reads a token's claims without checking it.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("ParseUnverified(token) = %v", err)
	}
	return claims
}

// withClaims returns a copy of claims with set applied.
func withClaims(claims, set map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

// signWithPoolKey signs claims with the key moto's Cognito signs every
// pool's tokens with (kid "dummy"): the key the JWKS publishes, so only the
// claims decide. It is moto's own test key, read and used by moto's code.
func signWithPoolKey(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatalf("marshal claims: %v", err)
	}
	const script = `import json, sys
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource
import moto.cognitoidp.models as m
key = jwk.RSAKey.import_key(load_resource(m.__name__, "resources/jwks-private.json"))
print(jwt.encode({"kid": "dummy", "alg": "RS256"}, json.loads(sys.argv[1]), key))`
	out, err := exec.Command("python3", "-c", script, string(payload)).Output()
	if err != nil {
		t.Fatalf("sign with moto's Cognito key: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// forge signs claims with a key of its own under the pool key's kid.
func forge(t *testing.T, claims map[string]any) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	tok.Header["kid"] = "dummy"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("SignedString: %v", err)
	}
	return s
}

// retenant writes tenant into a token's payload and keeps its signature.
func retenant(t *testing.T, token, tenant string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	claims := withClaims(claimsOf(t, token), map[string]any{"custom:tenant": tenant})
	payload, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
