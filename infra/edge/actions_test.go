package main

import (
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestActionsNameWhatEachFunctionsRequestsNeed(t *testing.T) {
	tests := []struct {
		name, key, service, op, body string
		want                         []string
	}{
		{"a plain call", "fn-stack-ApplyFunction-1", "dynamodb", "Query", "", []string{"dynamodb:Query"}},
		{"an s3 head needs GetObject", "fn-stack-ApplyFunction-1", "s3", "HeadObject", "", []string{"dynamodb:Query", "s3:GetObject"}},
		{"a transaction needs its items' actions", "fn-stack-ApplyFunction-1", "dynamodb", "TransactWriteItems",
			`{"TransactItems":[{"ConditionCheck":{"TableName":"t"}},{"Update":{"TableName":"t"}},{"Update":{"TableName":"t"}}]}`,
			[]string{"dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:UpdateItem", "s3:GetObject"}},
		{"a read of one version needs GetObjectVersion", "fn-stack-ApplyFunction-1", "s3", "HeadObject", "", []string{"dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:UpdateItem", "s3:GetObject", "s3:GetObjectVersion"}},
		{"a test's own client is no function", "cloudtest1234", "dynamodb", "Scan", "", []string{"dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:UpdateItem", "s3:GetObject", "s3:GetObjectVersion"}},
	}
	a := newActions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "/"
			if strings.Contains(tt.name, "version") {
				target = "/bucket/key?versionId=v1"
			}
			r := httptest.NewRequest("POST", target, strings.NewReader(tt.body))
			a.add(r, tt.key, tt.service, tt.op)
			if got := a.snapshot()["stack-ApplyFunction-1"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("snapshot() = %v, want %v", got, tt.want)
			}
			if body, _ := io.ReadAll(r.Body); string(body) != tt.body {
				t.Errorf("body after add = %q, want it put back: %q", body, tt.body)
			}
		})
	}
}
