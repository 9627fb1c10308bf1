package crm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Object is one version of an uploaded file: its key, and the version and
// ETag S3 gave it. Every read of an upload names the version it is for, so
// a second upload under the same key cannot slip its bytes into the first
// one's import.
type Object struct {
	Key     string `json:"key"`
	Version string `json:"version,omitempty"` // "" where the bucket keeps no versions
	ETag    string `json:"etag,omitempty"`    // without quotes
}

// NewObject returns the object version, its version and ETag in one
// spelling: S3 events carry the ETag bare, PutObject answers it quoted; an
// unversioned object's version reads "null" in some answers, "" in others.
func NewObject(key, version, etag string) Object {
	if version == "null" {
		version = ""
	}
	return Object{Key: key, Version: version, ETag: strings.Trim(etag, `"`)}
}

// ImportID derives the import job id from the uploaded object. S3 may deliver an
// event more than once; the same object version always gives the same id, and
// the id is also the workflow's execution name, so a repeated event cannot
// start a second import. A new upload under the same key is a new version
// (or a new ETag where versioning is off) and so a new import.
func ImportID(bucket, key, version, etag string) string {
	o := NewObject(key, version, etag)
	h := sha256.New()
	for _, part := range []string{bucket, o.Key, o.Version, o.ETag} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	// 26 hex digits keep the name short for the console and logs while
	// leaving collisions out of reach (104 bits).
	return "imp-" + hex.EncodeToString(h.Sum(nil))[:26]
}
