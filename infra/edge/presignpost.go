package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// moto stores a browser-based upload (a presigned POST) without looking at
// its policy: any key, any size, an expired or forged form alike. The edge
// checks the form as S3 does before it lets moto store it: the SigV4
// signature of the policy, its expiry, each condition, and that every form
// field is covered by one. See
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html.

// Limits of what the edge reads of a form before its file part.
const (
	maxFormField  = 64 << 10
	maxFormFields = 100
)

// isPresignedPost tells a POST object form: a multipart POST to a bucket
// (path style), without the query of another bucket operation.
func isPresignedPost(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.RawQuery != "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return false
	}
	bucket := strings.Trim(r.URL.Path, "/")
	return bucket != "" && !strings.Contains(bucket, "/")
}

// formField is one field of the form, in the order sent.
type formField struct {
	name, value string
}

// s3Error is an error answer as S3 writes it.
type s3Error struct {
	XMLName        xml.Name `xml:"Error"`
	Code           string   `xml:"Code"`
	Message        string   `xml:"Message"`
	ProposedSize   int64    `xml:"ProposedSize,omitempty"`
	MaxSizeAllowed int64    `xml:"MaxSizeAllowed,omitempty"`
	MinSizeAllowed int64    `xml:"MinSizeAllowed,omitempty"`
	RequestID      string   `xml:"RequestId"`
	HostID         string   `xml:"HostId"`
	status         int
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

func accessDenied(format string, args ...any) *s3Error {
	return &s3Error{Code: "AccessDenied", Message: fmt.Sprintf(format, args...), status: http.StatusForbidden}
}

func invalidArgument(format string, args ...any) *s3Error {
	return &s3Error{Code: "InvalidArgument", Message: fmt.Sprintf(format, args...), status: http.StatusBadRequest}
}

func writeS3Error(w http.ResponseWriter, e *s3Error) {
	e.RequestID, e.HostID = strconv.FormatInt(time.Now().UnixNano(), 36), "edge"
	body, _ := xml.Marshal(e)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.status)
	_, _ = io.WriteString(w, xml.Header)
	_, _ = w.Write(body)
}

// servePresignedPost checks a POST object form and, when S3 would take it,
// forwards it to moto with the file read once, from a temporary file.
func (e *edge) servePresignedPost(w http.ResponseWriter, r *http.Request) {
	bucket := strings.Trim(r.URL.Path, "/")
	mr, err := r.MultipartReader()
	if err != nil {
		writeS3Error(w, invalidArgument("POST requires exactly one file upload per request."))
		return
	}
	var fields []formField
	var file *multipart.Part
	for file == nil {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeS3Error(w, invalidArgument("the multipart form could not be read: %v", err))
			return
		}
		if part.FormName() == "file" {
			file = part
			break
		}
		value, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
		if err != nil || len(value) > maxFormField || len(fields) == maxFormFields {
			writeS3Error(w, &s3Error{Code: "MaxPostPreDataLengthExceeded", Message: "Your POST request fields preceding the upload file were too large.", status: http.StatusBadRequest})
			return
		}
		fields = append(fields, formField{part.FormName(), string(value)})
	}
	if file == nil {
		writeS3Error(w, invalidArgument("POST requires exactly one file upload per request."))
		return
	}
	p, serr := checkPostPolicy(bucket, fields, e.cfg.SecretKey, time.Now())
	if serr != nil {
		e.logger.Warn("presigned POST refused", "bucket", bucket, "code", serr.Code, "message", serr.Message)
		writeS3Error(w, serr)
		return
	}
	tmp, err := os.CreateTemp("", "edge-post-")
	if err != nil {
		writeS3Error(w, &s3Error{Code: "InternalError", Message: err.Error(), status: http.StatusInternalServerError})
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	// Read at most one byte past the policy's maximum: a larger file is
	// refused without the edge storing all of it.
	size, err := io.Copy(tmp, io.LimitReader(file, p.maxSize+1))
	if err != nil {
		writeS3Error(w, invalidArgument("the file could not be read: %v", err))
		return
	}
	if serr := p.checkSize(size); serr != nil {
		e.logger.Warn("presigned POST refused", "bucket", bucket, "code", serr.Code, "size", size)
		writeS3Error(w, serr)
		return
	}
	body, length, contentType, err := rebuildForm(fields, file, tmp, size)
	if err != nil {
		writeS3Error(w, &s3Error{Code: "InternalError", Message: err.Error(), status: http.StatusInternalServerError})
		return
	}
	out := r.Clone(r.Context())
	out.Body, out.ContentLength = io.NopCloser(body), length
	out.Header.Set("Content-Type", contentType)
	out.Header.Set("Content-Length", strconv.FormatInt(length, 10))
	e.proxy.ServeHTTP(w, out)
}

// rebuildForm writes the form again for moto, the fields as sent and then
// the file from tmp (size bytes), streamed: only the parts around the file
// are held in memory. moto wants a Content-Length, so the length is
// counted, not left to chunked encoding.
func rebuildForm(fields []formField, file *multipart.Part, tmp *os.File, size int64) (io.Reader, int64, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			return nil, 0, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "file", "filename": file.FileName()}))
	if ct := file.Header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	if _, err := mw.CreatePart(h); err != nil {
		return nil, 0, "", err
	}
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := mw.Close(); err != nil {
		return nil, 0, "", err
	}
	tail := bytes.Clone(buf.Bytes())
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, 0, "", err
	}
	body := io.MultiReader(bytes.NewReader(head), io.LimitReader(tmp, size), bytes.NewReader(tail))
	return body, int64(len(head)) + size + int64(len(tail)), mw.FormDataContentType(), nil
}

// postPolicy is what a checked policy still has to say of the file.
type postPolicy struct {
	minSize, maxSize int64
}

func (p postPolicy) checkSize(size int64) *s3Error {
	switch {
	case size > p.maxSize:
		return &s3Error{Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed size",
			ProposedSize: size, MaxSizeAllowed: p.maxSize, status: http.StatusBadRequest}
	case size < p.minSize:
		return &s3Error{Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed size",
			ProposedSize: size, MinSizeAllowed: p.minSize, status: http.StatusBadRequest}
	}
	return nil
}

// policyDocument is the decoded policy field.
type policyDocument struct {
	Expiration string            `json:"expiration"`
	Conditions []json.RawMessage `json:"conditions"`
}

// checkPostPolicy checks the form's fields as S3 does, in its order:
// the signature first, then the expiry, the conditions, and the fields no
// condition covers.
func checkPostPolicy(bucket string, fields []formField, secret string, now time.Time) (postPolicy, *s3Error) {
	form := map[string]string{}
	for _, f := range fields {
		form[strings.ToLower(f.name)] = f.value
	}
	p := postPolicy{minSize: 0, maxSize: 5 << 30} // S3's largest single PUT
	policy, ok := form["policy"]
	if !ok {
		// No policy is an anonymous upload, which the bucket (public
		// access blocked) refuses.
		return p, accessDenied("Access Denied")
	}
	for _, name := range []string{"key", "x-amz-signature", "x-amz-credential", "x-amz-algorithm", "x-amz-date"} {
		if _, ok := form[name]; !ok {
			return p, invalidArgument("Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", name)
		}
	}
	if form["x-amz-algorithm"] != "AWS4-HMAC-SHA256" {
		return p, invalidArgument("Unsupported algorithm %q", form["x-amz-algorithm"])
	}
	scope := strings.Split(form["x-amz-credential"], "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || !strings.HasPrefix(form["x-amz-date"], scope[1]) {
		return p, invalidArgument("Invalid credential %q: want KEY/yyyymmdd/region/service/aws4_request, dated as x-amz-date", form["x-amz-credential"])
	}
	if want := signPolicy(policy, secret, scope[1], scope[2], scope[3]); !hmac.Equal([]byte(want), []byte(strings.ToLower(form["x-amz-signature"]))) {
		return p, &s3Error{Code: "SignatureDoesNotMatch", status: http.StatusForbidden,
			Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	}
	raw, err := base64.StdEncoding.DecodeString(policy)
	var doc policyDocument
	if err == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		return p, &s3Error{Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid JSON.", status: http.StatusBadRequest}
	}
	expires, err := time.Parse(time.RFC3339, doc.Expiration)
	if err != nil {
		return p, &s3Error{Code: "InvalidPolicyDocument", Message: "Invalid Policy: Invalid 'expiration' value: '" + doc.Expiration + "'", status: http.StatusBadRequest}
	}
	if !now.Before(expires) {
		return p, accessDenied("Invalid according to Policy: Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range doc.Conditions {
		field, serr := checkCondition(c, bucket, form, &p)
		if serr != nil {
			return p, serr
		}
		covered[field] = true
	}
	var extra []string
	for _, f := range fields {
		name := strings.ToLower(f.name)
		if covered[name] || name == "policy" || name == "x-amz-signature" || strings.HasPrefix(name, "x-ignore-") {
			continue
		}
		extra = append(extra, f.name)
	}
	if len(extra) > 0 {
		return p, accessDenied("Invalid according to Policy: Extra input fields: %s", strings.Join(extra, ", "))
	}
	return p, nil
}

// checkCondition checks one condition of the policy and returns the form
// field it covers ("" for content-length-range, which covers the file).
func checkCondition(raw json.RawMessage, bucket string, form map[string]string, p *postPolicy) (string, *s3Error) {
	failed := accessDenied("Invalid according to Policy: Policy Condition failed: %s", raw)
	var exact map[string]string
	if json.Unmarshal(raw, &exact) == nil {
		if len(exact) != 1 {
			return "", &s3Error{Code: "InvalidPolicyDocument", Message: fmt.Sprintf("Invalid Policy: Invalid Condition: %s", raw), status: http.StatusBadRequest}
		}
		for name, want := range exact {
			name = strings.ToLower(name)
			if !fieldIs(name, bucket, form, func(v string) bool { return v == want }) {
				return "", failed
			}
			return name, nil
		}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || len(list) != 3 {
		return "", &s3Error{Code: "InvalidPolicyDocument", Message: fmt.Sprintf("Invalid Policy: Invalid Condition: %s", raw), status: http.StatusBadRequest}
	}
	var op string
	_ = json.Unmarshal(list[0], &op)
	if strings.ToLower(op) == "content-length-range" {
		var lo, hi int64
		if json.Unmarshal(list[1], &lo) != nil || json.Unmarshal(list[2], &hi) != nil {
			return "", &s3Error{Code: "InvalidPolicyDocument", Message: fmt.Sprintf("Invalid Policy: Invalid content-length-range: %s", raw), status: http.StatusBadRequest}
		}
		p.minSize, p.maxSize = lo, hi
		return "", nil
	}
	var ref, want string
	if json.Unmarshal(list[1], &ref) != nil || json.Unmarshal(list[2], &want) != nil || !strings.HasPrefix(ref, "$") {
		return "", &s3Error{Code: "InvalidPolicyDocument", Message: fmt.Sprintf("Invalid Policy: Invalid Condition: %s", raw), status: http.StatusBadRequest}
	}
	name := strings.ToLower(ref[1:])
	var ok bool
	switch strings.ToLower(op) {
	case "eq":
		ok = fieldIs(name, bucket, form, func(v string) bool { return v == want })
	case "starts-with":
		ok = fieldIs(name, bucket, form, func(v string) bool { return strings.HasPrefix(v, want) })
	default:
		return "", &s3Error{Code: "InvalidPolicyDocument", Message: fmt.Sprintf("Invalid Policy: Invalid Condition: unknown operation %q", op), status: http.StatusBadRequest}
	}
	if !ok {
		return "", failed
	}
	return name, nil
}

// fieldIs tells whether the form's field (the URL's bucket for "bucket")
// satisfies match; a field the form lacks satisfies nothing.
func fieldIs(name, bucket string, form map[string]string, match func(string) bool) bool {
	if name == "bucket" {
		return match(bucket)
	}
	v, ok := form[name]
	return ok && match(v)
}

// signPolicy is the SigV4 signature of a POST policy: the base64 policy
// is the string to sign.
func signPolicy(policy, secret, date, region, service string) string {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), service), "aws4_request")
	return hex.EncodeToString(mac(key, policy))
}
