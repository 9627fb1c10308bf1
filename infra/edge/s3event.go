package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"time"
)

// motoEventTime is how moto writes an S3 event's eventTime: no zone, so
// events.S3Event (time.Time) refuses the whole record. AWS writes
// RFC 3339 in UTC with milliseconds.
const motoEventTime = "2006-01-02T15:04:05.999999"

// fixS3Event rewrites the eventTime of S3 notifications moto put in a
// queue into AWS's form, so functions decode the event AWS would send.
// Other bodies come back unchanged.
func fixS3Event(body string) (string, bool) {
	var ev map[string]any
	if json.Unmarshal([]byte(body), &ev) != nil {
		return body, false
	}
	records, _ := ev["Records"].([]any)
	changed := false
	for _, r := range records {
		rec, _ := r.(map[string]any)
		if rec == nil || rec["eventSource"] != "aws:s3" {
			continue
		}
		s, _ := rec["eventTime"].(string)
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			continue
		}
		t, err := time.Parse(motoEventTime, s)
		if err != nil {
			continue
		}
		rec["eventTime"] = t.UTC().Format("2006-01-02T15:04:05.000Z")
		changed = true
	}
	if !changed {
		return body, false
	}
	out, err := json.Marshal(ev)
	if err != nil {
		return body, false
	}
	return string(out), true
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
