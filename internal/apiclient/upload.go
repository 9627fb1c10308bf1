package apiclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Upload sends the file at path to the presigned POST of an import: a
// multipart/form-data body of every field in order, then the file as the
// last part, "file", as S3 wants it. The file is streamed, never held in
// memory; progress (when not nil) is told the bytes of the file sent so
// far and its size.
//
// The body is the multipart prefix (fields and the file part's header),
// the file, and the closing boundary, joined by io.MultiReader rather than
// written through an io.Pipe: that way its length is known before it is
// sent, and S3 refuses a POST without a Content-Length.
func (c *Client) Upload(ctx context.Context, up Upload, path string, progress func(done, total int64)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	if up.MaxBytes > 0 && size > up.MaxBytes {
		return fmt.Errorf("%s is %s, more than the %s an upload may have", filepath.Base(path), sizeOf(size), sizeOf(up.MaxBytes))
	}

	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for _, fd := range up.Fields {
		if err := mw.WriteField(fd.Name, fd.Value); err != nil {
			return fmt.Errorf("upload %s: %w", path, err)
		}
	}
	if _, err := mw.CreateFormFile("file", filepath.Base(path)); err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := mw.Close(); err != nil { // writes the closing boundary
		return fmt.Errorf("upload %s: %w", path, err)
	}
	suffix := head.Bytes()

	body := io.MultiReader(bytes.NewReader(prefix), &counting{r: f, total: size, progress: progress}, bytes.NewReader(suffix))
	method := up.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, up.URL, body)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	req.ContentLength = int64(len(prefix)) + size + int64(len(suffix))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if progress != nil {
		progress(0, size)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("upload %s: %w", filepath.Base(path), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return uploadError(resp)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// counting reports the bytes read through it.
type counting struct {
	r        io.Reader
	done     int64
	total    int64
	progress func(done, total int64)
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.done += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.done, c.total)
	}
	return n, err
}

// uploadError reads S3's XML error (<Code>, <Message>) into an *Error.
func uploadError(resp *http.Response) *Error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var s3 struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(data, &s3)
	e := &Error{Status: resp.StatusCode, Code: s3.Code}
	msg := s3.Message
	switch {
	case e.Code == "EntityTooLarge":
		e.Message = "the file is larger than the upload allows"
	case e.Code == "AccessDenied" && strings.Contains(msg, "expired"):
		e.Message = "the upload's permission has expired: start the upload again"
	case msg != "":
		e.Message = "the upload was refused: " + msg
	default:
		e.Message = fmt.Sprintf("the upload was refused: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return e
}

// sizeOf says a size as a tenant reads it: bytes, or MB from one on.
func sizeOf(n int64) string {
	if n < 1_000_000 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
