package dynamo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// jobsClient is the part of the DynamoDB API the job store uses.
type jobsClient interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ crm.Jobs = (*Jobs)(nil)

// OpenJobsIndex is the sparse global secondary index of the jobs that have
// not ended, across tenants: open_pk and open_since are set when a job is
// created and removed when it ends, so the sweeper reads the open jobs
// without a scan of the table. It projects the keys only, so the updates of
// a running job (its status, its progress) never write to it: two index
// writes a job, when it starts and when it ends, far below the 1,000 writes
// a second one index partition takes.
const OpenJobsIndex = "OpenJobs"

const (
	// openPK is the index's one partition key value.
	openPK = "OPEN"
	// openSinceLayout is fixed-width, so that the strings sort as the
	// times do.
	openSinceLayout = "2006-01-02T15:04:05.000Z"
)

// Jobs keeps import job records: pk = T#{tenant}, sk = IMPORT#{id}.
type Jobs struct {
	client jobsClient
	table  string
	now    func() time.Time
}

// NewJobs returns the job store of table.
func NewJobs(client jobsClient, table string) *Jobs {
	return &Jobs{client: client, table: table, now: time.Now}
}

func tenantPK(tenant string) string { return "T#" + tenant }

func jobKey(tenant, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: tenantPK(tenant)},
		"sk": &types.AttributeValueMemberS{Value: "IMPORT#" + id},
	}
}

// jobItem is a job as stored: the job plus its keys and per-user progress,
// kept per user so that a retried apply step sets its progress again
// instead of adding it twice.
type jobItem struct {
	PK       string         `dynamodbav:"pk"`
	SK       string         `dynamodbav:"sk"`
	Progress map[string]int `dynamodbav:"progress"`
	// Deletes holds each user's planned deletions: records that no row
	// names, so the file's row count alone does not know them.
	Deletes map[string]int `dynamodbav:"deletes"`
	// Dropped holds the rows of each user none of whose rows will be
	// applied (excluded or skipped in the wizard): they leave the total.
	Dropped map[string]int `dynamodbav:"dropped"`
	// Done is set when the job ends (Update): its progress then, summed,
	// with Total its final total.
	Done *int `dynamodbav:"done,omitempty"`
	// Waiting holds, per user, the import whose lease the job waits for.
	Waiting    map[string]string `dynamodbav:"waiting"`
	Tenant     string            `dynamodbav:"tenant"`
	ID         string            `dynamodbav:"id"`
	Entity     string            `dynamodbav:"entity"`
	Bucket     string            `dynamodbav:"bucket"`
	Key        string            `dynamodbav:"key"`
	Status     crm.Status        `dynamodbav:"status"`
	Reason     string            `dynamodbav:"reason,omitempty"`
	Users      int               `dynamodbav:"users"`
	Counts     countsItem        `dynamodbav:"counts"`
	Total      int               `dynamodbav:"total"`
	ErrorFile  string            `dynamodbav:"error_file,omitempty"`
	Summary    string            `dynamodbav:"summary,omitempty"`
	CreatedAt  time.Time         `dynamodbav:"created_at"`
	UpdatedAt  time.Time         `dynamodbav:"updated_at"`
	FinishedAt time.Time         `dynamodbav:"finished_at,omitempty"`
	// OpenPK and OpenSince (the creation time) keep the job in
	// OpenJobsIndex until it ends.
	OpenPK    string `dynamodbav:"open_pk,omitempty"`
	OpenSince string `dynamodbav:"open_since,omitempty"`
	// Who created the job through the API, and how (crm.Job).
	By           string `dynamodbav:"by,omitempty"`
	Role         string `dynamodbav:"role,omitempty"`
	Config       string `dynamodbav:"config,omitempty"`
	InlineConfig bool   `dynamodbav:"inline_config,omitempty"`
	Version      string `dynamodbav:"version,omitempty"`
	ETag         string `dynamodbav:"etag,omitempty"`
	// The wizard: whether the import waits for the tenant, the wait
	// (waits.go) and each user's place in it.
	Attended   bool              `dynamodbav:"attended,omitempty"`
	Wait       *waitItem         `dynamodbav:"wizard_wait,omitempty"`
	UserStatus map[string]string `dynamodbav:"user_status"`
	// The restore point taken before the import's first write.
	RestorePoint *restorePointItem `dynamodbav:"restore_point,omitempty"`
	// Undone: the job's undo (undo.go).
	Undone *crm.Undone `dynamodbav:"undone,omitempty"`
	// Undo: the undo run its workflow makes (undo.go).
	Undo *undoRunItem `dynamodbav:"undo,omitempty"`
}

// countsItem is crm.Counts as stored.
type countsItem struct {
	Rows      int `dynamodbav:"rows"`
	Invalid   int `dynamodbav:"invalid"`
	Created   int `dynamodbav:"created"`
	Updated   int `dynamodbav:"updated"`
	Unchanged int `dynamodbav:"unchanged"`
	Deleted   int `dynamodbav:"deleted"`
	Skipped   int `dynamodbav:"skipped"`
	Failed    int `dynamodbav:"failed"`
}

func newJobItem(j crm.Job) jobItem {
	it := jobItem{
		PK: tenantPK(j.Tenant), SK: "IMPORT#" + j.ID, Attended: j.Attended, Wait: newWaitItem(j.Wait), RestorePoint: newRestorePointItem(j.RestorePoint),
		Tenant: j.Tenant, ID: j.ID, Entity: j.Entity, Bucket: j.Bucket, Key: j.Key, Status: j.Status,
		Reason: j.Reason, Users: j.Users, Counts: countsItem(j.Counts), Total: j.Total,
		ErrorFile: j.ErrorFile, Summary: j.Summary, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt,
		By: j.By, Role: j.Role, Config: j.Config, InlineConfig: j.InlineConfig, Version: j.Version, ETag: j.ETag,
	}
	if !j.Status.Terminal() {
		it.OpenPK, it.OpenSince = openPK, j.CreatedAt.UTC().Format(openSinceLayout)
	}
	return it
}

// job returns the stored job, with Done and Total summed over its users.
func (it jobItem) job() crm.Job {
	j := crm.Job{
		Tenant: it.Tenant, ID: it.ID, Entity: it.Entity, Bucket: it.Bucket, Key: it.Key, Status: it.Status,
		Reason: it.Reason, Users: it.Users, Counts: crm.Counts(it.Counts), Total: it.Total,
		ErrorFile: it.ErrorFile, Summary: it.Summary, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, FinishedAt: it.FinishedAt,
		By: it.By, Role: it.Role, Config: it.Config, InlineConfig: it.InlineConfig, Version: it.Version, ETag: it.ETag,
		Attended: it.Attended, Wait: it.Wait.wait(), RestorePoint: it.RestorePoint.restorePoint(), Undone: it.Undone,
		Undo: it.Undo.run(),
	}
	for u, st := range it.UserStatus {
		if j.UserStatus == nil {
			j.UserStatus = map[string]crm.UserStatus{}
		}
		j.UserStatus[u] = crm.UserStatus(st)
	}
	if len(it.Waiting) > 0 {
		j.Waiting = it.Waiting
	}
	if it.Done != nil {
		// Ended: Update kept the sums.
		j.Done = *it.Done
		return j
	}
	for _, n := range it.Progress {
		j.Done += n
	}
	for _, n := range it.Deletes {
		j.Total += n
	}
	for _, n := range it.Dropped {
		j.Total -= n
	}
	return j
}

// endedProgress is a job's progress and total as it ends, summed over its
// users' entries; total is the change's, if it sets one.
func (s *Jobs) endedProgress(ctx context.Context, tenant, id string, total int) (int, int, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &s.table,
		Key:                      jobKey(tenant, id),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("tenant, id, #t, progress, deletes, dropped, done"),
		ExpressionAttributeNames: map[string]string{"#t": "total"},
	})
	if err != nil {
		return 0, 0, fromSDK(fmt.Errorf("read the progress of job %s/%s: %w", tenant, id, err))
	}
	it, err := unmarshalJob(out.Item)
	if err != nil {
		return 0, 0, err
	}
	it.Tenant, it.ID = tenant, id
	if total > 0 {
		it.Total = total
	}
	if err := s.readUsers(ctx, &it); err != nil {
		return 0, 0, err
	}
	it.Done = nil
	j := it.job()
	return j.Done, j.Total, nil
}

// Create stores a new job. It reports false, and changes nothing, when a job
// with that id exists already: the trigger sees every S3 event at least once.
func (s *Jobs) Create(ctx context.Context, j crm.Job) (bool, error) {
	now := s.now().UTC()
	j.CreatedAt, j.UpdatedAt = now, now
	item, err := attributevalue.MarshalMap(newJobItem(j))
	if err != nil {
		return false, fmt.Errorf("marshal job %s: %w", j.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           &s.table,
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return false, nil
	}
	if err != nil {
		return false, fromSDK(fmt.Errorf("create job %s/%s: %w", j.Tenant, j.ID, err))
	}
	return true, nil
}

// Get returns a job with the rows applied so far in Done.
func (s *Jobs) Get(ctx context.Context, tenant, id string) (crm.Job, error) {
	return s.get(ctx, tenant, id, true)
}

// get reads a job, and with users its per-user entries (jobusers.go).
func (s *Jobs) get(ctx context.Context, tenant, id string, users bool) (crm.Job, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            jobKey(tenant, id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return crm.Job{}, fromSDK(fmt.Errorf("get job %s/%s: %w", tenant, id, err))
	}
	if out.Item == nil {
		return crm.Job{}, crm.Errorf(crm.NotFound, "import %s does not exist", id)
	}
	it, err := unmarshalJob(out.Item)
	if err != nil {
		return crm.Job{}, err
	}
	if users {
		if err := s.readUsers(ctx, &it); err != nil {
			return crm.Job{}, err
		}
	}
	return it.job(), nil
}

func unmarshalJob(item map[string]types.AttributeValue) (jobItem, error) {
	var it jobItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return it, fmt.Errorf("unmarshal job: %w", err)
	}
	return it, nil
}

// Update applies c to a job. A job that has ended keeps its status: a late
// retry of a step can't turn FAILED into SUCCEEDED or back.
func (s *Jobs) Update(ctx context.Context, tenant, id string, c crm.JobChange) error {
	now := s.now().UTC()
	set := map[string]any{"updated_at": now}
	if c.Status != "" {
		set["status"] = c.Status
		if c.Status.Terminal() {
			set["finished_at"] = now
		}
	}
	if c.Reason != "" {
		set["reason"] = c.Reason
	}
	if c.Users > 0 {
		set["users"] = c.Users
	}
	if c.Counts != nil {
		set["counts"] = countsItem(*c.Counts)
	}
	if c.Total > 0 {
		set["total"] = c.Total
	}
	if c.ErrorFile != "" {
		set["error_file"] = c.ErrorFile
	}
	if c.Summary != "" {
		set["summary"] = c.Summary
	}
	if c.Attended {
		set["attended"] = true
	}
	if c.RestorePoint != nil {
		set["restore_point"] = newRestorePointItem(c.RestorePoint)
	}
	if c.Status.Terminal() {
		// The list of jobs reads no per-user entries of an ended job:
		// its progress and total are kept on its item as they end.
		done, total, err := s.endedProgress(ctx, tenant, id, c.Total)
		if err != nil {
			return err
		}
		set["done"], set["total"] = done, total
	}
	in, err := updateInput(s.table, jobKey(tenant, id), set)
	if err != nil {
		return fmt.Errorf("update job %s/%s: %w", tenant, id, err)
	}
	if c.Status.Terminal() {
		// An ended job leaves the index of open jobs, in the same write,
		// and waits for nothing any more.
		*in.UpdateExpression += " REMOVE open_pk, open_since, wizard_wait"
	}
	return s.updateOpen(ctx, in, tenant, id, "update job")
}

// updateOpen makes the update in, on the condition that the job exists and
// has not ended: a job that has is a Conflict. what names the update in
// the error's cause.
func (s *Jobs) updateOpen(ctx context.Context, in *dynamodb.UpdateItemInput, tenant, id, what string) error {
	notEnded(in)
	_, err := s.client.UpdateItem(ctx, in)
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "import %s has already ended or does not exist", id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("%s %s/%s: %w", what, tenant, id, err))
	}
	return nil
}

// notEnded makes in conditional on the job existing and not having ended.
func notEnded(in *dynamodb.UpdateItemInput) {
	in.ConditionExpression = aws.String("attribute_exists(pk) AND NOT (" + ended(in.ExpressionAttributeValues) + ")")
	in.ExpressionAttributeNames["#status"] = "status"
}

// ended is the condition "#status IN (the terminal statuses)", its values
// added to values: one statement of what an ended job is, for every write
// conditional on it.
func ended(values map[string]types.AttributeValue) string {
	var names []string
	for i, st := range crm.TerminalStatuses {
		p := ":ended" + strconv.Itoa(i)
		names = append(names, p)
		values[p] = &types.AttributeValueMemberS{Value: string(st)}
	}
	return "#status IN (" + strings.Join(names, ", ") + ")"
}

// Open returns the jobs that have not ended and were created before
// before, oldest first, read from OpenJobsIndex and then each with Get: the
// index is eventually consistent and holds only keys, so a job that ended a
// moment ago may still be listed there, and Get has the last word.
func (s *Jobs) Open(ctx context.Context, before time.Time) ([]crm.Job, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		IndexName:              aws.String(OpenJobsIndex),
		KeyConditionExpression: aws.String("open_pk = :open AND open_since < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":open":   &types.AttributeValueMemberS{Value: openPK},
			":before": &types.AttributeValueMemberS{Value: before.UTC().Format(openSinceLayout)},
		},
	})
	var open []crm.Job
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fromSDK(fmt.Errorf("query open jobs: %w", err))
		}
		for _, item := range page.Items {
			var key struct {
				PK string `dynamodbav:"pk"`
				SK string `dynamodbav:"sk"`
			}
			if err := attributevalue.UnmarshalMap(item, &key); err != nil {
				return nil, fmt.Errorf("unmarshal open job key: %w", err)
			}
			tenant, id := strings.TrimPrefix(key.PK, "T#"), strings.TrimPrefix(key.SK, "IMPORT#")
			// The sweeper needs no user's progress.
			j, err := s.get(ctx, tenant, id, false)
			if crm.KindOf(err) == crm.NotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !j.Status.Terminal() {
				open = append(open, j)
			}
		}
	}
	return open, nil
}

// updateInput builds "SET #n0 = :v0, ..." for the given attribute values.
func updateInput(table string, key map[string]types.AttributeValue, set map[string]any) (*dynamodb.UpdateItemInput, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                 &table,
		Key:                       key,
		ExpressionAttributeNames:  map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{},
	}
	expr := "SET "
	for i, name := range slices.Sorted(maps.Keys(set)) {
		v, err := attributevalue.Marshal(set[name])
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", name, err)
		}
		n, p := "#n"+strconv.Itoa(i), ":v"+strconv.Itoa(i)
		if i > 0 {
			expr += ", "
		}
		expr += n + " = " + p
		in.ExpressionAttributeNames[n] = name
		in.ExpressionAttributeValues[p] = v
	}
	in.UpdateExpression = &expr
	return in, nil
}

// List returns a tenant's jobs, newest first: one Query of the tenant's
// partition for the IMPORT# items, sorted by creation time because the
// ids (hashes of the upload) do not sort by time.
func (s *Jobs) List(ctx context.Context, tenant string) ([]crm.Job, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :import)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: tenantPK(tenant)},
			":import": &types.AttributeValueMemberS{Value: "IMPORT#"},
		},
	})
	var jobs []crm.Job
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fromSDK(fmt.Errorf("list jobs of %s: %w", tenant, err))
		}
		for _, item := range page.Items {
			it, err := unmarshalJob(item)
			if err != nil {
				return nil, err
			}
			// An ended job's counts are on its item; a running one's
			// progress is in its users' entries.
			if !it.Status.Terminal() {
				if err := s.readUsers(ctx, &it); err != nil {
					return nil, err
				}
			}
			jobs = append(jobs, it.job())
		}
	}
	slices.SortStableFunc(jobs, func(a, b crm.Job) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return jobs, nil
}
