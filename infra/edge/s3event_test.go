package main

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestFixS3EventMakesMotoEventsDecodable(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantChanged bool
		wantTime    string
	}{
		{"moto event time", `{"Records":[{"eventSource":"aws:s3","eventTime":"2026-11-21T19:19:49.981054","s3":{"object":{"key":"incoming%2Ft1%2Fa.csv"}}}]}`, true, "2026-11-21T19:19:49.981Z"},
		{"aws event time", `{"Records":[{"eventSource":"aws:s3","eventTime":"2026-11-21T19:19:49.981Z"}]}`, false, "2026-11-21T19:19:49.981Z"},
		{"s3 test event", `{"Service":"Amazon S3","Event":"s3:TestEvent"}`, false, ""},
		{"not json", `hello`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := fixS3Event(tt.body)
			if changed != tt.wantChanged {
				t.Fatalf("fixS3Event(%s) changed = %v, want %v", tt.body, changed, tt.wantChanged)
			}
			if tt.wantTime == "" {
				return
			}
			var ev events.S3Event
			if err := json.Unmarshal([]byte(got), &ev); err != nil {
				t.Fatalf("decode fixed event %s: %v", got, err)
			}
			if s := ev.Records[0].EventTime.Format("2006-01-02T15:04:05.000Z"); s != tt.wantTime {
				t.Errorf("eventTime = %s, want %s", s, tt.wantTime)
			}
		})
	}
}
