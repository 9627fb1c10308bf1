// Command edge is the front door of the local cloud. It listens where the
// AWS SDKs are pointed (AWS_ENDPOINT_URL), runs Lambda functions as the real
// built bootstrap binaries through the Lambda Runtime API, plays the SQS
// event source mappings moto cannot run, counts requests for tests, and
// forwards everything else to moto_server.
//
//	go run ./infra/edge -listen 127.0.0.1:4566 -moto http://127.0.0.1:4567
//
// moto_server must run with MOTO_PORT set to the edge's port, so that moto's
// Step Functions interpreter calls Lambda through the edge.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.Listen, "listen", envOr("EDGE_LISTEN", "127.0.0.1:"+envOr("LOCALCLOUD_PORT", "4566")), "address the edge listens on")
	flag.StringVar(&cfg.MotoURL, "moto", envOr("EDGE_MOTO_URL", "http://127.0.0.1:"+envOr("LOCALCLOUD_MOTO_PORT", "4567")), "URL of moto_server")
	flag.StringVar(&cfg.Region, "region", envOr("AWS_REGION", "us-east-1"), "default region")
	flag.StringVar(&cfg.StateDir, "state-dir", envOr("EDGE_STATE_DIR", ".localcloud/edge"), "directory for unpacked function code and sandbox temp dirs")
	flag.StringVar(&cfg.CodeBucket, "code-bucket", os.Getenv("EDGE_CODE_BUCKET"), "bucket holding function zips (default: search all buckets)")
	flag.IntVar(&cfg.MaxPerFunction, "max-per-function", 32, "concurrent sandboxes per function; further invokes wait")
	flag.DurationVar(&cfg.ESMInterval, "esm-interval", 2*time.Second, "how often to look for new event source mappings")
	flag.DurationVar(&cfg.MaxIdle, "max-idle", 5*time.Minute, "stop a function process idle this long")
	flag.StringVar(&cfg.SecretKey, "secret-key", envOr("EDGE_SECRET_KEY", "test"), "secret access key presigned POST forms are signed with")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(cfg, logger); err != nil {
		logger.Error("edge stopped", "err", err)
		os.Exit(1)
	}
}

func run(cfg config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	e, err := newEdge(cfg, logger, os.Stdout)
	if err != nil {
		return err
	}
	defer e.Close()
	e.SetEndpoint("http://" + ln.Addr().String())

	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go e.RunEventSources(ctx)
	go e.ReapIdle(ctx)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("edge listening", "addr", ln.Addr().String(), "moto", cfg.MotoURL)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
