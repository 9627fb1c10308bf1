package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// actions records the IAM actions each deployed function's requests need,
// so a test can hold them against the function's role in template.yaml:
// moto checks no permission, and a call the role does not allow would
// first fail on AWS. Unlike the counts, they are never reset: they are
// what the function has needed since the edge started.
type actions struct {
	mu   sync.Mutex
	used map[string]map[string]bool // function name -> action
}

func newActions() *actions { return &actions{used: map[string]map[string]bool{}} }

// add records what a request of the function signing with accessKey needs.
func (a *actions) add(r *http.Request, accessKey, service, op string) {
	function, ok := strings.CutPrefix(accessKey, functionKeyPrefix)
	if !ok {
		return
	}
	needed := iamActions(r, service, op)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.used[function] == nil {
		a.used[function] = map[string]bool{}
	}
	for _, act := range needed {
		a.used[function][act] = true
	}
}

// snapshot lists each function's actions, sorted.
func (a *actions) snapshot() map[string][]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string][]string{}
	for fn, set := range a.used {
		for act := range set {
			out[fn] = append(out[fn], act)
		}
		slices.Sort(out[fn])
	}
	return out
}

// s3Actions are the S3 operations whose IAM action has another name.
var s3Actions = map[string]string{
	"HeadObject":              "GetObject",
	"ListObjectsV2":           "ListBucket",
	"ListObjects":             "ListBucket",
	"CreateMultipartUpload":   "PutObject",
	"UploadPart":              "PutObject",
	"CompleteMultipartUpload": "PutObject",
}

// iamActions names the IAM actions a request needs. A DynamoDB transaction
// has no action of its own: each of its items needs the action of its kind.
func iamActions(r *http.Request, service, op string) []string {
	switch {
	case service == "dynamodb" && op == "TransactWriteItems":
		return transactionActions(r)
	case service == "s3":
		if a, ok := s3Actions[op]; ok {
			op = a
		}
		// A read of one version of an object needs its own action.
		if op == "GetObject" && r.URL.Query().Has("versionId") {
			op = "GetObjectVersion"
		}
	case service == "lambda" && op == "Invoke":
		op = "InvokeFunction"
	}
	return []string{service + ":" + op}
}

// transactionActions reads a TransactWriteItems body (and puts it back for
// the proxy) for the kinds of its items.
func transactionActions(r *http.Request) []string {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct {
		TransactItems []map[string]json.RawMessage
	}
	if err != nil || json.Unmarshal(body, &in) != nil {
		return []string{"dynamodb:TransactWriteItems"}
	}
	kinds := map[string]string{"ConditionCheck": "ConditionCheckItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
	var out []string
	for _, item := range in.TransactItems {
		for k := range item {
			if a, ok := kinds[k]; ok && !slices.Contains(out, "dynamodb:"+a) {
				out = append(out, "dynamodb:"+a)
			}
		}
	}
	return out
}
