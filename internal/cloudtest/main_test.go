package cloudtest

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestMain runs the package's tests under Main, as integration tests
// elsewhere do, but on a cloud of their own: the local cloud's test stack
// on free ports, even when make test has the project's stack up, so these
// tests never depend on, or stop, the project's stack.
func TestMain(m *testing.M) {
	flag.Parse()
	dir := ""
	if !testing.Short() && os.Getenv("CLOUDTEST_HELPER") == "" {
		var err error
		if dir, err = isolate(); err != nil {
			fmt.Fprintln(os.Stderr, "cloudtest:", err)
			os.Exit(1)
		}
	}
	code := run(m, nil)
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func isolate() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "cloudtest")
	if err != nil {
		return "", err
	}
	ports := make([]string, 2)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return dir, err
		}
		ports[i] = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	build := filepath.Join(dir, "build")
	os.Unsetenv("AWS_ENDPOINT_URL")
	for k, v := range map[string]string{
		"LOCALCLOUD_DIR":       filepath.Join(dir, "state"),
		"LOCALCLOUD_PORT":      ports[0],
		"LOCALCLOUD_MOTO_PORT": ports[1],
		"LOCALCLOUD_TEMPLATE":  filepath.Join(root, "infra", "testdata", "template.yaml"),
		"LOCALCLOUD_STACK":     "echo",
		"LOCALCLOUD_BUILD_DIR": build,
		"LOCALCLOUD_BUILD":     "CGO_ENABLED=0 go build -o " + filepath.Join(build, "EchoFunction", "bootstrap") + " ./infra/testdata/echo",
	} {
		os.Setenv(k, v)
	}
	return dir, nil
}

func TestEnvGivesTheDeployedStackAndCountsRequests(t *testing.T) {
	cloud := Env(t)
	for _, name := range []string{"BUCKET", "TABLE", "STATE_MACHINE_ARN", "QUEUE_URL"} {
		cloud.Output(t, name)
	}
	counted, counter := cloud.Counted(t)
	ctx := context.Background()
	if _, err := s3.NewFromConfig(counted.AWS, PathStyle).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cloud.Output(t, "BUCKET"))}); err != nil {
		t.Fatalf("HeadBucket(BUCKET): %v", err)
	}
	for range 2 {
		if _, err := dynamodb.NewFromConfig(counted.AWS).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(cloud.Output(t, "TABLE"))}); err != nil {
			t.Fatalf("DescribeTable(TABLE): %v", err)
		}
	}
	// Not counted: another access key.
	if _, err := s3.NewFromConfig(cloud.AWS, PathStyle).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cloud.Output(t, "BUCKET"))}); err != nil {
		t.Fatalf("HeadBucket(BUCKET): %v", err)
	}

	got := counter.Stats(t)
	if got.Count("s3", "HeadBucket") != 1 || got.Count("dynamodb", "DescribeTable") != 2 {
		t.Errorf("counted = %v, want s3 HeadBucket 1 and dynamodb DescribeTable 2", got)
	}
	// The deployed function's own requests: an upload under incoming/
	// reaches it through S3 -> SQS, and it writes one item per message
	// (the S3 test event and this upload).
	if _, err := s3.NewFromConfig(counted.AWS, PathStyle).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(cloud.Output(t, "BUCKET")), Key: aws.String("incoming/t1/env-test.csv"), Body: strings.NewReader("a\n"),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	waitFor(t, func() bool { return cloud.FunctionStats(t, "EchoFunction").Count("dynamodb", "PutItem") >= 2 })
	if got := cloud.FunctionStats(t, "EchoFunction"); got.Count("s3", "PutObject") != 0 {
		t.Errorf("function stats = %v, want none of the test's own requests", got)
	}
	counter.Reset(t)
	if got := counter.Stats(t); len(got) != 0 {
		t.Errorf("counted after Reset = %v, want none", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met after 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
