package cloudtest

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestMain runs the package's tests under Main, as integration tests
// elsewhere do. Unless a cloud is given in the environment (make test
// sources .localcloud/env), the cloud Env starts is the local cloud's own
// test stack on free ports, so these tests never depend on, or stop, the
// project's stack.
func TestMain(m *testing.M) {
	flag.Parse()
	dir := ""
	if os.Getenv("AWS_ENDPOINT_URL") == "" && !testing.Short() {
		var err error
		if dir, err = isolate(); err != nil {
			fmt.Fprintln(os.Stderr, "cloudtest:", err)
			os.Exit(1)
		}
	}
	code := run(m)
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
	counter.Reset(t)
	if got := counter.Stats(t); len(got) != 0 {
		t.Errorf("counted after Reset = %v, want none", got)
	}
}
