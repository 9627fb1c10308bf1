package crm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ImportID derives the import job id from the uploaded object. S3 may deliver an
// event more than once; the same object version always gives the same id, and
// the id is also the workflow's execution name, so a repeated event cannot
// start a second import. A new upload under the same key is a new version
// (or a new ETag where versioning is off) and so a new import.
func ImportID(bucket, key, version, etag string) string {
	// S3 events carry the ETag bare, PutObject answers it quoted; an
	// unversioned object's version reads "null" in some answers, "" in others.
	etag = strings.Trim(etag, `"`)
	if version == "null" {
		version = ""
	}
	h := sha256.New()
	for _, part := range []string{bucket, key, version, etag} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	// 26 hex digits keep the name short for the console and logs while
	// leaving collisions out of reach (104 bits).
	return "imp-" + hex.EncodeToString(h.Sum(nil))[:26]
}
