package crm

import (
	"fmt"
	"regexp"
	"strings"
)

// IncomingPrefix is where tenants' uploads land. The layout
// incoming/{tenant}/{entity}/{file} is the only source of the tenant: never
// the file's content.
const IncomingPrefix = "incoming/"

// ExportsPrefix is where exports of a tenant's records are written, one
// object each, for their download link (the bucket expires them after a
// day).
const ExportsPrefix = "exports/"

var tenantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// ValidTenant reports whether s can be a tenant id. Tenant ids go into keys
// and DynamoDB partition keys, so they are kept to a safe alphabet.
func ValidTenant(s string) bool { return tenantPattern.MatchString(s) }

// Upload is what an object key says about an upload.
type Upload struct {
	Tenant string
	Entity string
	Name   string // file name as the tenant uploaded it
}

// ParseKey reads tenant, entity and file name from an upload's object key.
func ParseKey(key string) (Upload, error) {
	rest, ok := strings.CutPrefix(key, IncomingPrefix)
	if !ok {
		return Upload{}, fmt.Errorf("object %q is not under %s", key, IncomingPrefix)
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 || parts[2] == "" || strings.HasSuffix(parts[2], "/") {
		return Upload{}, fmt.Errorf("object %q: want %s{tenant}/{entity}/{file}", key, IncomingPrefix)
	}
	if !ValidTenant(parts[0]) {
		return Upload{}, fmt.Errorf("object %q: %q is not a valid tenant id", key, parts[0])
	}
	name := parts[2]
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return Upload{Tenant: parts[0], Entity: strings.ToLower(parts[1]), Name: name}, nil
}
