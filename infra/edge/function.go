package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// function is what the edge needs to run one deployed Lambda function, as
// moto's GetFunction describes it.
type function struct {
	Name     string
	ARN      string
	Region   string
	Timeout  time.Duration
	MemoryMB int32
	Env      map[string]string
	CodeSHA  string // base64 SHA-256 of the deployment zip, as Lambda reports it
	CodeKey  string // S3 key of the deployment zip
}

// version identifies a deployed configuration: a new zip, environment or
// timeout needs fresh processes.
func (f *function) version() string {
	keys := make([]string, 0, len(f.Env))
	for k := range f.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00", f.ARN, f.CodeSHA, f.Timeout, f.MemoryMB)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\x00", k, f.Env[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// errFunctionNotFound marks a name moto does not know.
var errFunctionNotFound = errors.New("function not found")

// describe asks moto for the function's configuration and code location.
func (e *edge) describe(ctx context.Context, nameOrARN string) (*function, error) {
	region := e.cfg.Region
	if strings.HasPrefix(nameOrARN, "arn:") {
		if parts := strings.Split(nameOrARN, ":"); len(parts) > 3 && parts[3] != "" {
			region = parts[3]
		}
	}
	out, err := e.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(nameOrARN)},
		func(o *lambda.Options) { o.Region = region })
	if err != nil {
		if _, ok := errors.AsType[*lambdatypes.ResourceNotFoundException](err); ok {
			return nil, fmt.Errorf("get function %s: %w", nameOrARN, errFunctionNotFound)
		}
		return nil, fmt.Errorf("get function %s: %w", nameOrARN, err)
	}
	c := out.Configuration
	f := &function{
		Name:     aws.ToString(c.FunctionName),
		ARN:      aws.ToString(c.FunctionArn),
		Region:   region,
		Timeout:  time.Duration(aws.ToInt32(c.Timeout)) * time.Second,
		MemoryMB: aws.ToInt32(c.MemorySize),
		CodeSHA:  aws.ToString(c.CodeSha256),
		Env:      map[string]string{},
	}
	if f.Timeout <= 0 {
		f.Timeout = 3 * time.Second
	}
	if c.Environment != nil {
		for k, v := range c.Environment.Variables {
			f.Env[k] = v
		}
	}
	if out.Code == nil || out.Code.Location == nil {
		return nil, fmt.Errorf("function %s: moto reports no S3 code location (the local cloud runs only functions deployed from a zip in S3)", f.Name)
	}
	loc, err := url.Parse(aws.ToString(out.Code.Location))
	if err != nil {
		return nil, fmt.Errorf("function %s: parse code location: %w", f.Name, err)
	}
	f.CodeKey = strings.TrimPrefix(loc.Path, "/")
	return f, nil
}

// codeStore unpacks deployment zips fetched from moto's S3, once per zip.
type codeStore struct {
	e   *edge
	dir string

	mu      sync.Mutex
	buckets map[string]string // code key -> bucket where it was found
	unpack  map[string]*sync.Mutex
}

func newCodeStore(e *edge, dir string) *codeStore {
	return &codeStore{e: e, dir: dir, buckets: map[string]string{}, unpack: map[string]*sync.Mutex{}}
}

// bootstrap returns the path of the function's unpacked bootstrap,
// downloading the zip moto deployed it from and checking its SHA-256
// against what Lambda reports, so the process runs exactly what was
// deployed.
func (c *codeStore) bootstrap(ctx context.Context, f *function) (string, error) {
	sum, err := base64.StdEncoding.DecodeString(f.CodeSHA)
	if err != nil || len(sum) != sha256.Size {
		return "", fmt.Errorf("function %s: code sha256 %q is not base64 SHA-256", f.Name, f.CodeSHA)
	}
	dir := filepath.Join(c.dir, hex.EncodeToString(sum))
	c.mu.Lock()
	lock := c.unpack[dir]
	if lock == nil {
		lock = &sync.Mutex{}
		c.unpack[dir] = lock
	}
	c.mu.Unlock()
	lock.Lock()
	defer lock.Unlock()

	path := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	zipBytes, err := c.fetch(ctx, f)
	if err != nil {
		return "", err
	}
	got := sha256.Sum256(zipBytes)
	if !strings.EqualFold(hex.EncodeToString(got[:]), hex.EncodeToString(sum)) {
		return "", fmt.Errorf("function %s: zip s3 key %s has sha256 %s, lambda reports %s (redeployed without updating the function?)",
			f.Name, f.CodeKey, base64.StdEncoding.EncodeToString(got[:]), f.CodeSHA)
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := unzip(zipBytes, tmp); err != nil {
		return "", fmt.Errorf("function %s: unzip: %w", f.Name, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "bootstrap")); err != nil {
		return "", fmt.Errorf("function %s: the zip has no bootstrap at its root", f.Name)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("function %s: %w", f.Name, err)
	}
	return path, nil
}

func (c *codeStore) fetch(ctx context.Context, f *function) ([]byte, error) {
	bucket, err := c.bucketOf(ctx, f.CodeKey)
	if err != nil {
		return nil, fmt.Errorf("function %s: %w", f.Name, err)
	}
	out, err := c.e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.CodeKey)})
	if err != nil {
		return nil, fmt.Errorf("function %s: get s3://%s/%s: %w", f.Name, bucket, f.CodeKey, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// bucketOf finds the bucket of a code key: moto's code location names the
// key but not the bucket.
func (c *codeStore) bucketOf(ctx context.Context, key string) (string, error) {
	if c.e.cfg.CodeBucket != "" {
		return c.e.cfg.CodeBucket, nil
	}
	c.mu.Lock()
	b, ok := c.buckets[key]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	list, err := c.e.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return "", fmt.Errorf("list buckets: %w", err)
	}
	for _, bk := range list.Buckets {
		_, err := c.e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bk.Name, Key: aws.String(key)})
		if err == nil {
			c.mu.Lock()
			c.buckets[key] = aws.ToString(bk.Name)
			c.mu.Unlock()
			return aws.ToString(bk.Name), nil
		}
	}
	return "", fmt.Errorf("no bucket holds the code key %s", key)
}

func unzip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	for _, zf := range zr.File {
		name := filepath.Clean(zf.Name)
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return fmt.Errorf("zip entry %q escapes the code directory", zf.Name)
		}
		path := filepath.Join(dir, name)
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		mode := zf.Mode().Perm()
		if name == "bootstrap" || mode == 0 {
			// Zips built on some tools lose the mode bits; Lambda's
			// bootstrap must be executable either way.
			mode |= 0o755
		}
		if err := writeZipFile(zf, path, mode); err != nil {
			return err
		}
	}
	return nil
}

func writeZipFile(zf *zip.File, path string, mode os.FileMode) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
