package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-lambda-go/events"
)

// The captured events of testdata/events: see the README there for where
// each comes from.
const eventsDir = "../../testdata/events"

func TestCapturedEventsRoundTrip(t *testing.T) {
	tests := []struct {
		file      string
		roundTrip func(*testing.T, []byte) []byte
		// addsEmpty names fields the Go type always writes, which the
		// sender leaves out when they are empty.
		addsEmpty []string
	}{
		{"sqs-s3-put.json", roundTrip[events.SQSEvent], []string{"md5OfMessageAttributes"}},
		{"sqs-s3-put-moto.json", roundTrip[events.SQSEvent], nil},
		{"sqs-s3-test-event.json", roundTrip[events.SQSEvent], []string{"md5OfMessageAttributes"}},
		{"validate-input.json", roundTrip[State], nil},
		{"split-output.json", roundTrip[State], nil},
		{"map-item.json", roundTrip[UserTask], nil},
		{"preview-output.json", roundTrip[UserPlan], nil},
		{"apply-output.json", roundTrip[crm.UserResult], nil},
		{"finalize-input-success.json", roundTrip[State], nil},
		{"finalize-input-failure.json", roundTrip[State], nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readEvent(t, tt.file)
			want, got := jsonValue(t, data), jsonValue(t, tt.roundTrip(t, data))
			got = withoutAdded(got, want, tt.addsEmpty)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s encoded back = %v, want %v", tt.file, got, want)
			}
		})
	}
}

func TestCapturedUploadsStartTheirImport(t *testing.T) {
	const (
		awsBucket  = "crm-import-bucket-1x2y3z4w5v6u"
		motoBucket = "crm-import-bucket"
		march      = "incoming/acme/customers/März 2026.csv"
		pipeline   = "incoming/globex/deals/pipeline (Q1).csv"
	)
	var validateInput State
	decodeStrict(t, readEvent(t, "validate-input.json"), &validateInput)
	if id := crm.ImportID(awsBucket, march, "3HL4kqtJvjVBH40Nrjfkd.9XH6yYbJtO", "a13f07aea6c080c5bfcb6f748ba377b5"); validateInput.ImportID != id {
		t.Fatalf("validate-input.json import id = %s, want the id of the upload's version, %s", validateInput.ImportID, id)
	}
	tests := []struct {
		file   string
		bucket string
		want   []State // the inputs of the executions started
	}{
		{"sqs-s3-put.json", awsBucket, []State{
			validateInput,
			{
				// A quoted ETag gives the id of the bare one.
				ImportID: crm.ImportID(awsBucket, pipeline, "Ymh4e2Qh0mZRgBzdCjTWvJ3.p5zhcUiw", "9b2cf535f27731c974343645a3985328"),
				Tenant:   "globex", Bucket: awsBucket, Key: pipeline, Entity: "deals",
				Version: "Ymh4e2Qh0mZRgBzdCjTWvJ3.p5zhcUiw", ETag: "9b2cf535f27731c974343645a3985328",
			},
		}},
		{"sqs-s3-put-moto.json", motoBucket, []State{{
			ImportID: crm.ImportID(motoBucket, march, "", "a13f07aea6c080c5bfcb6f748ba377b5"),
			Tenant:   "acme", Bucket: motoBucket, Key: march, Entity: "customers", ETag: "a13f07aea6c080c5bfcb6f748ba377b5",
		}}},
		{"sqs-s3-test-event.json", awsBucket, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var ev events.SQSEvent
			decodeStrict(t, readEvent(t, tt.file), &ev)
			f := newFixture(t)
			trig := f.trigger()
			trig.Bucket = tt.bucket

			resp, err := trig.Handle(context.Background(), ev)
			if err != nil || len(resp.BatchItemFailures) > 0 {
				t.Fatalf("Handle(%s) = %v, %v, want no failures", tt.file, resp.BatchItemFailures, err)
			}
			var got []State
			for _, e := range f.workflow.Executions() {
				got = append(got, startedState(t, e.Input))
				if _, err := f.jobs.Get(context.Background(), got[len(got)-1].Tenant, e.Name); err != nil {
					t.Errorf("job of execution %s: %v, want it created", e.Name, err)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Handle(%s) started %+v, want %+v", tt.file, got, tt.want)
			}
		})
	}
}

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// roundTrip decodes data into a T, refusing unknown fields, and encodes it
// again.
func roundTrip[T any](t *testing.T, data []byte) []byte {
	t.Helper()
	var v T
	decodeStrict(t, data, &v)
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return out
}

func decodeStrict(t *testing.T, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode into %T: %v", v, err)
	}
}

// jsonValue decodes data as plain JSON values, so that key order and
// spacing do not count.
func jsonValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// withoutAdded removes from got, at any depth, the keys of names that
// want does not have and got holds empty.
func withoutAdded(got, want any, names []string) any {
	switch g := got.(type) {
	case map[string]any:
		w, _ := want.(map[string]any)
		for k, v := range g {
			if _, ok := w[k]; !ok && v == "" && slices.Contains(names, k) {
				delete(g, k)
				continue
			}
			g[k] = withoutAdded(v, w[k], names)
		}
	case []any:
		w, _ := want.([]any)
		for i := range g {
			if i < len(w) {
				g[i] = withoutAdded(g[i], w[i], names)
			}
		}
	}
	return got
}
