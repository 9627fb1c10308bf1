// Package stack builds the deployed stack's adapters from a Lambda's
// environment, so that each function's main stays a few lines.
package stack

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/crmimport/crm-import/internal/bucket"
	"github.com/crmimport/crm-import/internal/dynamo"
	"github.com/crmimport/crm-import/internal/export"
	"github.com/crmimport/crm-import/internal/notify"
	"github.com/crmimport/crm-import/internal/workflow"
)

// Stack is the deployed stack as a function sees it.
type Stack struct {
	AWS             aws.Config
	Log             *slog.Logger
	Table           string
	BucketName      string
	StateMachineARN string
	EventBus        string
	Limits          crm.Limits
	// StuckJobAfter is how long an import job may stay open before the
	// sweeper looks at it (STUCK_JOB_MINUTES).
	StuckJobAfter time.Duration
	// WaitSeconds bounds each wait of an attended import for the tenant
	// (the next step); 0 for the default.
	WaitSeconds int
}

// FromEnv reads the variables template.yaml sets. AWS_ENDPOINT_URL, when set,
// points every client at a local cloud.
func FromEnv(ctx context.Context) (*Stack, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	s := &Stack{
		AWS:             cfg,
		Log:             Logger(os.Getenv("LOG_LEVEL")),
		Table:           os.Getenv("TABLE_NAME"),
		BucketName:      os.Getenv("BUCKET_NAME"),
		StateMachineARN: os.Getenv("STATE_MACHINE_ARN"),
		EventBus:        os.Getenv("EVENT_BUS_NAME"),
		Limits: crm.Limits{
			MaxRows:  intEnv("MAX_ROWS", crm.DefaultMaxRows),
			MaxUsers: intEnv("MAX_USERS", crm.DefaultMaxUsers),
			// Set for the validate function only, the one step that reads
			// the upload.
			MaxUploadBytes:    int64(intEnv("MAX_UPLOAD_BYTES", crm.DefaultMaxUploadBytes)),
			MaxRunningImports: intEnv("MAX_RUNNING_IMPORTS", crm.DefaultMaxRunningImports),
		},
		StuckJobAfter: time.Duration(intEnv("STUCK_JOB_MINUTES", 30)) * time.Minute,
		WaitSeconds:   intEnv("WAIT_SECONDS", 0),
	}
	if s.Table == "" || s.BucketName == "" {
		return nil, fmt.Errorf("TABLE_NAME and BUCKET_NAME must be set")
	}
	return s, nil
}

// Logger returns a JSON logger at the given level name (INFO by default).
func Logger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func intEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// Bucket returns the upload bucket.
func (s *Stack) Bucket() *bucket.Bucket {
	// Local clouds answer without checksums; the SDK would log that on
	// every read, drowning the structured logs.
	client := s3.NewFromConfig(s.AWS, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	return bucket.New(client, s.BucketName)
}

// Uploads returns the signer of the tenants' presigned uploads to the
// bucket.
func (s *Stack) Uploads() *bucket.Uploads {
	return bucket.NewUploads(s3.NewFromConfig(s.AWS), s.BucketName)
}

// DynamoDB returns a DynamoDB client.
func (s *Stack) DynamoDB() *dynamodb.Client { return dynamodb.NewFromConfig(s.AWS) }

// Jobs returns the import job store.
func (s *Stack) Jobs() *dynamo.Jobs { return dynamo.NewJobs(s.DynamoDB(), s.Table) }

// Records returns the store of users' records, keeping before-images for
// UNDO_RETENTION_DAYS.
func (s *Stack) Records() *dynamo.Records {
	r := dynamo.NewRecords(s.DynamoDB(), s.Table)
	if days := intEnv("UNDO_RETENTION_DAYS", 0); days > 0 {
		r.BeforeImageTTL = time.Duration(days) * 24 * time.Hour
	}
	return r
}

// UndoRetention is how long an import can be undone, and its
// before-images are kept: UNDO_RETENTION_DAYS, 0 (the API's default) when
// unset.
func (s *Stack) UndoRetention() time.Duration {
	return time.Duration(intEnv("UNDO_RETENTION_DAYS", 0)) * 24 * time.Hour
}

// Tenants returns the tenant store.
func (s *Stack) Tenants() *dynamo.Tenants { return dynamo.NewTenants(s.DynamoDB(), s.Table) }

// Leases returns the store of import leases.
func (s *Stack) Leases() *dynamo.Leases { return dynamo.NewLeases(s.DynamoDB(), s.Table) }

// Workflow returns the import state machine.
func (s *Stack) Workflow() *workflow.StateMachine {
	return workflow.New(sfn.NewFromConfig(s.AWS), s.StateMachineARN)
}

// UndoWorkflow returns the undo state machine (UNDO_STATE_MACHINE_ARN).
func (s *Stack) UndoWorkflow() *workflow.StateMachine {
	return workflow.New(sfn.NewFromConfig(s.AWS), os.Getenv("UNDO_STATE_MACHINE_ARN"))
}

// Notifier returns the event bus import events go to.
func (s *Stack) Notifier() *notify.Bus {
	return notify.New(eventbridge.NewFromConfig(s.AWS), s.EventBus)
}

// Exit logs err and ends the process: a function that cannot start.
func Exit(err error) {
	slog.Error("function cannot start", "error", err)
	os.Exit(1)
}

// RestoreWorkflow returns the restore state machine
// (RESTORE_STATE_MACHINE_ARN): the API starts one execution a restore.
func (s *Stack) RestoreWorkflow() *workflow.StateMachine {
	return workflow.New(sfn.NewFromConfig(s.AWS), os.Getenv("RESTORE_STATE_MACHINE_ARN"))
}

// RestorePoints reads the restore points' exports in the bucket.
func (s *Stack) RestorePoints() *export.Points {
	client := s3.NewFromConfig(s.AWS, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	return &export.Points{Reader: export.NewReader(client, s.BucketName)}
}

// RestoreStore is the record store as a restore writes it.
func (s *Stack) RestoreStore() *export.Store { return &export.Store{Records: s.Records()} }
