package web

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestSiteAnswers(t *testing.T) {
	s := New(Config{ClientID: "client", Region: "us-east-1", CognitoURL: "http://cognito/", Entities: Entities()})
	for _, tc := range []struct {
		name, raw, file string
		status          int
		want            string
	}{
		{"the folder without its slash is sent to it", "/app", "", 302, ""},
		{"config.json names the pool's client", "/app/config.json", "config.json", 200, `"clientId":"client"`},
		{"config.json lists the entities' fields", "/app/config.json", "config.json", 200, `"name":"customer_number"`},
		{"a file that is not there is 404 or, unbuilt, 503", "/app/nothing.js", "nothing.js", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Handle(events.APIGatewayV2HTTPRequest{RawPath: tc.raw, PathParameters: map[string]string{"file": tc.file}})
			if err != nil {
				t.Fatalf("Handle(%s) error = %v", tc.raw, err)
			}
			if tc.status == 0 {
				if got.StatusCode != 404 && got.StatusCode != 503 {
					t.Errorf("Handle(%s) = %d, want 404 or 503", tc.raw, got.StatusCode)
				}
				return
			}
			body, _ := base64.StdEncoding.DecodeString(got.Body)
			if got.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("Handle(%s) = %d %.200s, want %d with %s", tc.raw, got.StatusCode, body, tc.status, tc.want)
			}
		})
	}
}
