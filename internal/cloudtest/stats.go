package cloudtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Stats are the edge's request counts: service -> operation -> count, with
// services named as in SigV4 ("dynamodb", "s3", "states", "sqs", "lambda").
type Stats map[string]map[string]int

// Count returns how many op requests the service received.
func (s Stats) Count(service, op string) int { return s[service][op] }

// Counter counts the requests of the clients built from its AWS config,
// apart from every other client of the shared edge: they sign with an
// access key of their own, and the edge counts per access key.
type Counter struct {
	cloud     Cloud
	accessKey string
}

// Counted returns a copy of the cloud whose AWS config signs with a fresh
// access key, and the Counter that reads that key's counts. Requests that
// the deployed functions make sign with their own keys and are not counted
// here: read those with FunctionStats.
func (c Cloud) Counted(t testing.TB) (Cloud, *Counter) {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	key := "cloudtest" + hex.EncodeToString(b[:])
	cp := c
	cp.AWS = c.AWS.Copy()
	cp.AWS.Credentials = credentials.NewStaticCredentialsProvider(key, "test", "")
	return cp, &Counter{cloud: cp, accessKey: key}
}

// Stats reads the counts of this counter's requests.
func (k *Counter) Stats(t testing.TB) Stats {
	t.Helper()
	return k.cloud.stats(t, url.Values{"accessKey": {k.accessKey}})
}

// Reset zeroes this counter's counts.
func (k *Counter) Reset(t testing.TB) {
	t.Helper()
	k.cloud.reset(t, url.Values{"accessKey": {k.accessKey}})
}

// FunctionStats reads the counts of the requests that deployed functions
// made, of those whose name contains function: a logical id such as
// "ApplyFunction" selects that step (each function signs with a key of its
// own). Functions of every test binary using the cloud are counted.
func (c Cloud) FunctionStats(t testing.TB, function string) Stats {
	t.Helper()
	return c.stats(t, url.Values{"function": {function}})
}

// Seconds are the edge's summed answer times: service -> operation ->
// seconds that the local cloud took to answer those requests, as the
// caller waited for them (calls made at once overlap).
type Seconds map[string]map[string]float64

// FunctionSeconds reads how long the requests of the deployed functions
// whose name contains function took to be answered, by operation: where a
// step's time went. ResetFunctionStats zeroes them too.
func (c Cloud) FunctionSeconds(t testing.TB, function string) Seconds {
	t.Helper()
	resp, err := http.Get(c.adminURL(t, "/_edge/stats/seconds", url.Values{"function": {function}}))
	if err != nil {
		t.Fatalf("edge seconds: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("edge seconds: %s", resp.Status)
	}
	var s Seconds
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("edge seconds: %v", err)
	}
	return s
}

// ResetFunctionStats zeroes the counts FunctionStats reads.
func (c Cloud) ResetFunctionStats(t testing.TB, function string) {
	t.Helper()
	c.reset(t, url.Values{"function": {function}})
}

func (c Cloud) adminURL(t testing.TB, path string, q url.Values) string {
	t.Helper()
	if !c.edge {
		t.Skipf("request counts need the project's edge; %s is another endpoint", c.Endpoint)
	}
	u := strings.TrimRight(c.Endpoint, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c Cloud) stats(t testing.TB, q url.Values) Stats {
	t.Helper()
	resp, err := http.Get(c.adminURL(t, "/_edge/stats", q))
	if err != nil {
		t.Fatalf("edge stats: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("edge stats: %s", resp.Status)
	}
	var s Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("edge stats: %v", err)
	}
	return s
}

func (c Cloud) reset(t testing.TB, q url.Values) {
	t.Helper()
	resp, err := http.Post(c.adminURL(t, "/_edge/stats/reset", q), "", nil)
	if err != nil {
		t.Fatalf("reset edge stats: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("reset edge stats: %s", resp.Status)
	}
}

// String helps failure messages.
func (s Stats) String() string {
	b, _ := json.Marshal(map[string]map[string]int(s))
	return fmt.Sprint(string(b))
}

// FunctionActions reads the IAM actions each deployed function's requests
// have needed since the edge started (never reset), by deployed name.
func (c Cloud) FunctionActions() (map[string][]string, error) {
	if !c.edge {
		return nil, fmt.Errorf("function actions need the project's edge; %s is another endpoint", c.Endpoint)
	}
	resp, err := http.Get(strings.TrimRight(c.Endpoint, "/") + "/_edge/actions")
	if err != nil {
		return nil, fmt.Errorf("edge actions: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("edge actions: %s", resp.Status)
	}
	var out map[string][]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("edge actions: %w", err)
	}
	return out, nil
}
