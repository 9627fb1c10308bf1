package crmtest

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/crmimport/crm-import/internal/crm"
)

// Uploads is an in-memory crm.Uploads: it keeps every request it signed
// and answers a form whose fields name the key, the size limit and the
// metadata, so a test can read what the policy would hold.
type Uploads struct {
	Faults
	mu       sync.Mutex
	requests []crm.UploadRequest
}

var _ crm.Uploads = (*Uploads)(nil)

// NewUploads returns a signer with no requests yet.
func NewUploads() *Uploads { return &Uploads{} }

func (u *Uploads) PresignUpload(_ context.Context, r crm.UploadRequest) (crm.UploadForm, error) {
	if err := u.call("PresignUpload"); err != nil {
		return crm.UploadForm{}, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	r.Metadata = maps.Clone(r.Metadata)
	u.requests = append(u.requests, r)
	fields := map[string]string{"key": r.Key, "policy": "test-policy"}
	for k, v := range r.Metadata {
		fields["x-amz-meta-"+k] = v
	}
	return crm.UploadForm{URL: "https://bucket.test/", Fields: fields, ExpiresAt: time.Now().Add(r.Expires).UTC()}, nil
}

// Requests returns the requests signed so far.
func (u *Uploads) Requests() []crm.UploadRequest {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]crm.UploadRequest(nil), u.requests...)
}

// PresignDownload answers a link naming the key and the file name.
func (u *Uploads) PresignDownload(_ context.Context, key, fileName string, expires time.Duration) (string, time.Time, error) {
	if err := u.call("PresignDownload"); err != nil {
		return "", time.Time{}, err
	}
	return "https://bucket.test/" + key + "?file=" + fileName, time.Now().Add(expires).UTC(), nil
}
