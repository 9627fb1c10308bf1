package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
)

// exportsClient is the part of the DynamoDB API exports use.
type exportsClient interface {
	ExportTableToPointInTime(ctx context.Context, in *dynamodb.ExportTableToPointInTimeInput, opts ...func(*dynamodb.Options)) (*dynamodb.ExportTableToPointInTimeOutput, error)
	DescribeExport(ctx context.Context, in *dynamodb.DescribeExportInput, opts ...func(*dynamodb.Options)) (*dynamodb.DescribeExportOutput, error)
}

// Exports exports the table to the bucket (crm.Exports): full exports in
// DynamoDB JSON, which need point-in-time recovery on the table.
type Exports struct {
	client   exportsClient
	tableARN string
	bucket   string
	now      func() time.Time
}

var _ crm.Exports = (*Exports)(nil)

// NewExports exports the table tableARN to bucket.
func NewExports(client exportsClient, tableARN, bucket string) *Exports {
	return &Exports{client: client, tableARN: tableARN, bucket: bucket, now: time.Now}
}

// Export starts a full export of the table now under prefix. The client
// token is derived from the prefix, so a retried step gets the export it
// started (DynamoDB keeps tokens 8 hours), not a second one.
func (e *Exports) Export(ctx context.Context, prefix string) (string, time.Time, error) {
	sum := sha256.Sum256([]byte(e.tableARN + "\x00" + prefix))
	at := e.now().UTC()
	out, err := e.client.ExportTableToPointInTime(ctx, &dynamodb.ExportTableToPointInTimeInput{
		TableArn:     &e.tableARN,
		S3Bucket:     &e.bucket,
		S3Prefix:     &prefix,
		ExportFormat: types.ExportFormatDynamodbJson,
		ExportType:   types.ExportTypeFullExport,
		ClientToken:  aws.String(hex.EncodeToString(sum[:16])),
	})
	if err != nil {
		return "", time.Time{}, exportError(fmt.Errorf("export table to %s: %w", prefix, err))
	}
	d := out.ExportDescription
	if d == nil || d.ExportArn == nil {
		return "", time.Time{}, crm.Errorf(crm.Internal, "the export to %s was started without an ARN", prefix)
	}
	// AWS says the export's time; a local cloud may not.
	if d.ExportTime != nil {
		at = d.ExportTime.UTC()
	} else if d.StartTime != nil {
		at = d.StartTime.UTC()
	}
	return *d.ExportArn, at, nil
}

// Status tells how the export arn stands.
func (e *Exports) Status(ctx context.Context, arn string) (crm.ExportStatus, error) {
	out, err := e.client.DescribeExport(ctx, &dynamodb.DescribeExportInput{ExportArn: &arn})
	if err != nil {
		return crm.ExportStatus{}, exportError(fmt.Errorf("describe export %s: %w", arn, err))
	}
	d := out.ExportDescription
	if d == nil {
		return crm.ExportStatus{}, crm.Errorf(crm.Internal, "the export %s was described without its status", arn)
	}
	st := crm.ExportStatus{State: crm.ExportState(d.ExportStatus)}
	if d.FailureMessage != nil {
		st.Failure = *d.FailureMessage
	}
	if d.FailureCode != nil && st.Failure == "" {
		st.Failure = *d.FailureCode
	}
	return st, nil
}

// exportError gives an export's error a kind: a missing export is
// NotFound; a table without point-in-time recovery, or a bucket that
// refuses the export, is the stack's fault (Internal); throttling and
// the like are Unavailable, as for any DynamoDB call.
func exportError(err error) error {
	var missing *types.ExportNotFoundException
	var pitr *types.PointInTimeRecoveryUnavailableException
	switch {
	case errors.As(err, &missing):
		return crm.Wrap(err, crm.NotFound, "the restore point does not exist")
	case errors.As(err, &pitr):
		return crm.Wrap(err, crm.Internal, "")
	}
	return fromSDK(err)
}
