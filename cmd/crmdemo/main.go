// Command crmdemo imports a file for a demo tenant on the stack in the
// environment and prints what happened: the import job's statuses, the
// workflow's steps, the counts and the records in DynamoDB. It is what
// `make run` shows on a local cloud.
//
// It drives the import as a tenant's administrator would, through the API
// (API_URL, logged in through the user pool's client USER_POOL_CLIENT_ID
// as DEMO_USER with DEMO_PASSWORD), and reads what only the stack's owner
// sees (the workflow's steps, the records in DynamoDB) from the variables
// the functions read: TABLE_NAME, BUCKET_NAME, STATE_MACHINE_ARN, and
// AWS_ENDPOINT_URL for a local cloud, as infra/localcloud writes them all
// to .localcloud/env.
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
	var login demoLogin
	if err == nil {
		login, err = loginFromEnv()
	}
	if err == nil {
		err = run(ctx, os.Stdout, st, login, flag.Arg(0))
	}
	cancel()
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crmdemo: %v\n", err)
		os.Exit(1)
	}
}
