package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var _ crm.BeforeImages = (*Records)(nil)

// TransactAPI is the part of the DynamoDB client undo needs beyond API:
// BatchWriteItem takes no conditions, so undo writes with
// TransactWriteItems, each item conditional on the record being as undo
// saw it. It is a separate interface so that API's fakes need not have it.
type TransactAPI interface {
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ TransactAPI = (*dynamodb.Client)(nil)

// maxTransact is the most items of one undo call: as many as one
// BatchWriteItem takes, so undo's calls are apply's.
const maxTransact = MaxBatch

// ReadBeforeImages queries the import's partition of before-images page by
// page (ordered by user, entity and ID, as their sort key is) and hands each
// page to each, an image of creates as one image per ID. next is the sort
// key of the page's last item: the following page starts after it.
func (r *Records) ReadBeforeImages(ctx context.Context, tenant, importID, from string, limit int, each func([]crm.BeforeImage, string) error) error {
	for _, n := range [][2]string{{"tenant", tenant}, {"import", importID}} {
		if err := checkName(n[0], n[1]); err != nil {
			return err
		}
	}
	pk := ImportPK(tenant, importID)
	in := &dynamodb.QueryInput{
		TableName:              aws.String(r.Table),
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk},
			":sk": &types.AttributeValueMemberS{Value: "BEFORE#"},
		},
	}
	if from != "" {
		if !strings.HasPrefix(from, "BEFORE#") {
			return crm.Errorf(crm.Internal, "read before-images of %s from %q: not a place an earlier page ended", importID, from)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk},
			"sk": &types.AttributeValueMemberS{Value: from},
		}
	}
	if r.PageLimit > 0 {
		in.Limit = aws.Int32(r.PageLimit)
	}
	if limit > 0 && (in.Limit == nil || int32(limit) < *in.Limit) {
		in.Limit = aws.Int32(int32(limit))
	}
	p := dynamodb.NewQueryPaginator(r.API, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fromSDK(fmt.Errorf("read before-images of %s/%s: %w", tenant, importID, err))
		}
		images := make([]crm.BeforeImage, 0, len(page.Items))
		next := ""
		for _, item := range page.Items {
			imgs, err := decodeBeforeImages(item)
			if err != nil {
				return err
			}
			images = append(images, imgs...)
			if sk, ok := item["sk"].(*types.AttributeValueMemberS); ok {
				next = sk.Value
			}
		}
		// An image of creates holds IDs of the whole chunk's range, in
		// among the records' own images: the page, cut at items, is put
		// back in order.
		slices.SortStableFunc(images, func(a, b crm.BeforeImage) int {
			return strings.Compare(BeforeSK(a.User, a.Entity, a.ID), BeforeSK(b.User, b.Entity, b.ID))
		})
		if len(images) > 0 {
			if err := each(images, next); err != nil {
				return err
			}
		}
	}
	return nil
}

// beforeImageItem is a before-image as beforeImage writes it, without the
// old item.
type beforeImageItem struct {
	User         string `dynamodbav:"user"`
	Entity       string `dynamodbav:"entity"`
	ID           string `dynamodbav:"id"`
	Op           string `dynamodbav:"op"`
	Existed      bool   `dynamodbav:"existed"`
	VersionAfter int64  `dynamodbav:"version_after"`
}

// decodeBeforeImages decodes one item: the image of one record, or of a
// chunk's creates (ids), one image per ID.
func decodeBeforeImages(item map[string]types.AttributeValue) ([]crm.BeforeImage, error) {
	ids, ok := item["ids"].(*types.AttributeValueMemberSS)
	if !ok {
		img, err := decodeBeforeImage(item)
		return []crm.BeforeImage{img}, err
	}
	var it beforeImageItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, crm.Wrap(err, crm.Internal, "decode before-image of created records")
	}
	images := make([]crm.BeforeImage, 0, len(ids.Value))
	for _, id := range ids.Value {
		images = append(images, crm.BeforeImage{User: it.User, Entity: it.Entity, ID: id, Op: crm.WriteCreate, VersionAfter: it.VersionAfter})
	}
	return images, nil
}

func decodeBeforeImage(item map[string]types.AttributeValue) (crm.BeforeImage, error) {
	var it beforeImageItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return crm.BeforeImage{}, crm.Wrap(err, crm.Internal, "decode before-image")
	}
	img := crm.BeforeImage{User: it.User, Entity: it.Entity, ID: it.ID, Op: crm.WriteKind(it.Op), VersionAfter: it.VersionAfter}
	if !it.Existed {
		return img, nil
	}
	old, ok := item["item"].(*types.AttributeValueMemberM)
	if !ok {
		return crm.BeforeImage{}, crm.Errorf(crm.Internal, "before-image of record %s holds no item", it.ID)
	}
	var rec recordItem
	if err := attributevalue.UnmarshalMap(old.Value, &rec); err != nil {
		return crm.BeforeImage{}, crm.Wrap(err, crm.Internal, "decode the before-image of record %s", it.ID)
	}
	img.Before = &crm.Stored{Record: rec.record(), Opaque: old.Value}
	return img, nil
}

// Undo makes the writes with TransactWriteItems, 25 a call, each with a
// condition on the record being as Expect says. A call whose condition
// fails is cancelled whole: the items that failed it are refused and the
// rest are written again without them.
func (r *Records) Undo(ctx context.Context, tenant string, writes []crm.UndoWrite) ([]int, error) {
	api, ok := r.API.(TransactAPI)
	if !ok {
		return nil, crm.Errorf(crm.Internal, "undo: the DynamoDB client cannot write transactions")
	}
	var refused []int
	for start := 0; start < len(writes); start += maxTransact {
		idx := make([]int, 0, maxTransact)
		for i := start; i < min(start+maxTransact, len(writes)); i++ {
			idx = append(idx, i)
		}
		for len(idx) > 0 {
			failed, err := r.transact(ctx, api, tenant, writes, idx)
			if err != nil {
				return nil, err
			}
			if len(failed) == 0 {
				break
			}
			var rest []int
			for k, i := range idx {
				if failed[k] {
					refused = append(refused, i)
				} else {
					rest = append(rest, i)
				}
			}
			idx = rest
		}
	}
	return refused, nil
}

// transact writes writes[idx...] in one transaction; a cancellation for
// failed conditions answers which of idx failed them.
func (r *Records) transact(ctx context.Context, api TransactAPI, tenant string, writes []crm.UndoWrite, idx []int) (map[int]bool, error) {
	items := make([]types.TransactWriteItem, 0, len(idx))
	for _, i := range idx {
		it, err := r.undoItem(tenant, writes[i])
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	_, err := api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) {
		failed := map[int]bool{}
		for k, reason := range cancelled.CancellationReasons {
			if aws.ToString(reason.Code) == "ConditionalCheckFailed" {
				failed[k] = true
			}
		}
		if len(failed) > 0 {
			return failed, nil
		}
	}
	if err != nil {
		return nil, fromSDK(fmt.Errorf("write the undo of %d records: %w", len(idx), err))
	}
	return nil, nil
}

// undoItem is one write of the undo with its condition.
func (r *Records) undoItem(tenant string, w crm.UndoWrite) (types.TransactWriteItem, error) {
	s := crm.Scope{Tenant: tenant, User: w.User, Entity: w.Entity, ImportID: "undo"}
	if err := checkScope(s); err != nil {
		return types.TransactWriteItem{}, err
	}
	key := map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: UserPK(tenant, w.User)},
		"sk": &types.AttributeValueMemberS{Value: RecordSK(w.Entity, w.ID)},
	}
	cond, names, values := expectation(w.Expect)
	if w.Restore == nil {
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(r.Table), Key: key,
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		}}, nil
	}
	item, ok := w.Restore.Opaque.(map[string]types.AttributeValue)
	if !ok {
		return types.TransactWriteItem{}, crm.Errorf(crm.Internal, "undo record %s: the record to put back was not read by ReadBeforeImages", w.ID)
	}
	// The item as it was, under the key it had: a before-image never
	// names another partition than the record's own.
	pk, _ := item["pk"].(*types.AttributeValueMemberS)
	sk, _ := item["sk"].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil || pk.Value != UserPK(tenant, w.User) || sk.Value != RecordSK(w.Entity, w.ID) {
		return types.TransactWriteItem{}, crm.Errorf(crm.Internal, "undo record %s: its before-image names another partition", w.ID)
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(r.Table), Item: item,
		ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	}}, nil
}

// expectation is the condition that the record is as expect says: absent,
// or at its version and written last by its import.
func expectation(expect *crm.Record) (string, map[string]string, map[string]types.AttributeValue) {
	if expect == nil {
		return "attribute_not_exists(pk)", nil, nil
	}
	values := map[string]types.AttributeValue{
		":v": &types.AttributeValueMemberN{Value: strconv.FormatInt(expect.Version, 10)},
	}
	cond := "#v = :v AND "
	values[":i"] = &types.AttributeValueMemberS{Value: expect.ImportID}
	if expect.ImportID == "" {
		// A record no import wrote may lack the attribute or hold "".
		cond += "(attribute_not_exists(import_id) OR import_id = :i)"
	} else {
		cond += "import_id = :i"
	}
	return cond, map[string]string{"#v": "version"}, values
}

// SetUndone records the undo on an ended job.
func (s *Jobs) SetUndone(ctx context.Context, tenant, id string, u crm.Undone) error {
	av, err := attributevalue.Marshal(u)
	if err != nil {
		return crm.Wrap(err, crm.Internal, "encode the undo of import %s", id)
	}
	values := map[string]types.AttributeValue{":u": av}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       jobKey(tenant, id),
		UpdateExpression:          aws.String("SET undone = :u"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND " + ended(values)),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return crm.Errorf(crm.Conflict, "import %s has not ended or does not exist", id)
	}
	if err != nil {
		return fromSDK(fmt.Errorf("set the undo of job %s/%s: %w", tenant, id, err))
	}
	return nil
}
