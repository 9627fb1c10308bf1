package export

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDecodeValueReadsEveryTypeOfDynamoDBJSON(t *testing.T) {
	tests := []struct {
		name string
		json string
		want types.AttributeValue
	}{
		{"a string", `{"S":"Müller"}`, &types.AttributeValueMemberS{Value: "Müller"}},
		{"a number keeps its digits", `{"N":"1234.50"}`, &types.AttributeValueMemberN{Value: "1234.50"}},
		{"binary is base64", `{"B":"aGk="}`, &types.AttributeValueMemberB{Value: []byte("hi")}},
		{"a boolean", `{"BOOL":true}`, &types.AttributeValueMemberBOOL{Value: true}},
		{"null", `{"NULL":true}`, &types.AttributeValueMemberNULL{Value: true}},
		{"a string set", `{"SS":["a","b"]}`, &types.AttributeValueMemberSS{Value: []string{"a", "b"}}},
		{"a number set", `{"NS":["1","2"]}`, &types.AttributeValueMemberNS{Value: []string{"1", "2"}}},
		{"a binary set", `{"BS":["aGk="]}`, &types.AttributeValueMemberBS{Value: [][]byte{[]byte("hi")}}},
		{"a map of lists", `{"M":{"tags":{"L":[{"S":"x"},{"N":"1"}]}}}`, &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"tags": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberN{Value: "1"}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeValue(json.RawMessage(tt.json))
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decodeValue(%s) = %#v, %v, want %#v", tt.json, got, err, tt.want)
			}
		})
	}
}

func TestDecodeValueRefusesWhatIsNotDynamoDBJSON(t *testing.T) {
	for _, in := range []string{`{"X":"1"}`, `{"S":"a","N":"1"}`, `{}`, `"S"`, `{"BS":["%%"]}`} {
		if got, err := decodeValue(json.RawMessage(in)); err == nil {
			t.Errorf("decodeValue(%s) = %#v, nil, want an error", in, got)
		}
	}
}
