// Command crmdemo imports a file for a demo tenant on the stack in the
// environment and prints what happened: the import job's statuses, the
// workflow's steps, the counts and the records in DynamoDB. It is what
// `make run` shows on a local cloud.
//
// It reads the variables the functions read: TABLE_NAME, BUCKET_NAME,
// STATE_MACHINE_ARN, and AWS_ENDPOINT_URL for a local cloud, as
// infra/localcloud writes them to .localcloud/env.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	timeout := flag.Duration("timeout", 3*time.Minute, "how long to wait for the import to end")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: crmdemo [-timeout 3m] FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	st, err := stackFromEnv(ctx)
	if err == nil {
		err = run(ctx, os.Stdout, st, flag.Arg(0))
	}
	cancel()
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crmdemo: %v\n", err)
		os.Exit(1)
	}
}
