package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The tests run a real moto_server behind a real edge, and a real
// bootstrap built from infra/testdata/echo.
var (
	testEdge    *edge
	testURL     string
	testAWS     aws.Config
	echoZip     []byte
	setupFailed string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	cleanup, err := setup()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "edge tests: setup failed:", err)
			return 1
		}
		setupFailed = err.Error()
	}
	defer cleanup()
	return m.Run()
}

func setup() (cleanup func(), err error) {
	var stops []func()
	cleanup = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	dir, err := os.MkdirTemp("", "edge-test")
	if err != nil {
		return cleanup, err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })

	bootstrap := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-o", bootstrap, "../testdata/echo")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return cleanup, fmt.Errorf("build echo: %v\n%s", err, out)
	}
	echoZip, err = zipFile(bootstrap)
	if err != nil {
		return cleanup, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return cleanup, err
	}
	motoPort, err := freePort()
	if err != nil {
		return cleanup, err
	}
	edgePort := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	moto := exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(motoPort))
	moto.Env = append(os.Environ(), "MOTO_PORT="+edgePort)
	moto.Stdout, moto.Stderr = io.Discard, io.Discard
	if err := moto.Start(); err != nil {
		return cleanup, fmt.Errorf("start moto_server: %w", err)
	}
	stops = append(stops, func() { moto.Process.Kill(); moto.Wait() })
	motoURL := "http://127.0.0.1:" + strconv.Itoa(motoPort)
	if err := waitHTTP(motoURL+"/moto-api/config", 30*time.Second); err != nil {
		return cleanup, fmt.Errorf("moto_server: %w", err)
	}
	resp, err := http.Post(motoURL+"/moto-api/config", "application/json",
		bytes.NewReader([]byte(`{"stepfunctions":{"execute_state_machine":true}}`)))
	if err != nil {
		return cleanup, err
	}
	resp.Body.Close()

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	testEdge, err = newEdge(config{
		MotoURL: motoURL, Region: "us-east-1", StateDir: filepath.Join(dir, "state"),
		MaxPerFunction: 8, ESMInterval: time.Hour,
	}, logger, functionLog())
	if err != nil {
		return cleanup, err
	}
	srv := httptest.NewUnstartedServer(testEdge)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	testURL = srv.URL
	testEdge.SetEndpoint(testURL)
	ctx, cancel := context.WithCancel(context.Background())
	go testEdge.RunEventSources(ctx)
	stops = append(stops, func() { cancel(); srv.Close(); testEdge.Close() })

	testAWS = aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(testURL),
	}
	return cleanup, nil
}

func functionLog() io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}

// needCloud skips or fails a test that needs moto when setup failed.
func needCloud(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs moto_server; skipped with -short")
	}
	if setupFailed != "" {
		t.Skip("moto_server not available: " + setupFailed)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHTTP(u string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func zipFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var roleSeq int

// createFunction deploys the echo bootstrap as a function the way
// CloudFormation does: from a zip in S3.
func createFunction(t testing.TB, timeoutSeconds int32, env map[string]string) string {
	t.Helper()
	ctx := context.Background()
	roleSeq++
	name := fmt.Sprintf("echo-%s-%d", sanitize(t.Name()), roleSeq)
	role := createRole(t, name)

	s3c := s3.NewFromConfig(testAWS, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "edge-test-code"
	_, _ = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	key := "functions/" + name + ".zip"
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(echoZip)}); err != nil {
		t.Fatalf("upload code: %v", err)
	}
	_, err := lambda.NewFromConfig(testAWS).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Role:          aws.String(role),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Code:          &lambdatypes.FunctionCode{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
		Timeout:       aws.Int32(timeoutSeconds),
		Environment:   &lambdatypes.Environment{Variables: env},
		Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
	})
	if err != nil {
		t.Fatalf("create function %s: %v", name, err)
	}
	return name
}

func sanitize(s string) string {
	out := []byte{}
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			out = append(out, c)
		}
	}
	if len(out) > 40 {
		out = out[:40]
	}
	return string(out)
}

// createRole uses IAM's query API directly: the module does not depend on
// the IAM SDK client, and moto only checks that the role exists.
func createRole(t testing.TB, name string) string {
	t.Helper()
	form := url.Values{
		"Action":                   {"CreateRole"},
		"Version":                  {"2010-05-08"},
		"RoleName":                 {name},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	req, _ := http.NewRequest(http.MethodPost, testURL+"/", bytes.NewReader([]byte(form.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create role: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("create role: %s: %s", resp.Status, body)
	}
	return "arn:aws:iam::123456789012:role/" + name
}
