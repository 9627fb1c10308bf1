package export

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/dynamo"
)

var (
	_ crm.PointReader  = (*Points)(nil)
	_ crm.RestoreStore = (*Store)(nil)
)

// Points reads restore points for a restore (crm.PointReader): each of the
// tenant's record items with its user, its record, and the item itself in
// DynamoDB JSON, which the restore hands back to Store.Restore unread.
type Points struct{ Reader *Reader }

// Items yields the tenant's record items of the export under prefix.
func (p *Points) Items(ctx context.Context, prefix, tenant string) iter.Seq2[crm.PointItem, error] {
	return func(yield func(crm.PointItem, error) bool) {
		users := dynamo.UserPK(tenant, "")
		for item, err := range p.Reader.Records(ctx, prefix, tenant) {
			if err != nil {
				yield(crm.PointItem{}, err)
				return
			}
			pk, _ := item["pk"].(*types.AttributeValueMemberS)
			rec, err := dynamo.DecodeRecord(item)
			if err == nil {
				var raw []byte
				raw, err = json.Marshal(encodeItem(item))
				if err == nil && !yield(crm.PointItem{User: strings.TrimPrefix(pk.Value, users), Record: rec, Item: raw}, nil) {
					return
				}
			}
			if err != nil {
				yield(crm.PointItem{}, crm.Wrap(err, crm.Internal, "the restore point holds a record that cannot be read"))
				return
			}
		}
	}
}

// Store is the record store as a restore needs it (crm.RestoreStore): the
// records' pages and re-checks, and the conditional writes undo makes
// (TransactWriteItems of 25, each on the record being as the plan saw it).
type Store struct{ Records *dynamo.Records }

func (s *Store) EachRecord(ctx context.Context, tenant, user string, each func([]crm.Stored) error) error {
	return s.Records.EachRecord(ctx, tenant, user, each)
}

func (s *Store) Current(ctx context.Context, sc crm.Scope, lo, hi string) (map[string]crm.Stored, error) {
	return s.Records.Current(ctx, sc, lo, hi)
}

// Restore decodes each item to put back and writes with Records.Undo,
// which refuses an item under another partition than its record's.
func (s *Store) Restore(ctx context.Context, tenant string, writes []crm.RestoreWrite) ([]int, error) {
	undo := make([]crm.UndoWrite, len(writes))
	for i, w := range writes {
		undo[i] = crm.UndoWrite{User: w.User, Entity: w.Entity, ID: w.ID, Expect: w.Expect}
		if w.Item == nil {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(w.Item, &raw); err != nil {
			return nil, crm.Wrap(err, crm.Internal, "decode the item of record %s", w.ID)
		}
		item, err := decodeItem(raw)
		if err != nil {
			return nil, crm.Wrap(fmt.Errorf("record %s: %w", w.ID, err), crm.Internal, "")
		}
		undo[i].Restore = &crm.Stored{Opaque: item}
	}
	return s.Records.Undo(ctx, tenant, undo)
}

// encodeItem is decodeItem's inverse: an item in DynamoDB JSON.
func encodeItem(item map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(item))
	for k, v := range item {
		out[k] = encodeValue(v)
	}
	return out
}

func encodeValue(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value} // base64 in JSON
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		bs := make([]string, len(v.Value))
		for i, b := range v.Value {
			bs[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": bs}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": encodeItem(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = encodeValue(e)
		}
		return map[string]any{"L": l}
	}
	return map[string]any{"NULL": true}
}
