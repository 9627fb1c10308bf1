package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Field is one form field of a presigned POST.
type Field struct {
	Name, Value string
}

// Fields are a presigned POST's form fields in the order the API sent
// them: S3 reads the policy's fields as they come, so a client sends them
// in that order, which a Go map would lose.
type Fields []Field

// UnmarshalJSON reads a JSON object of strings, keeping its order.
func (f *Fields) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("upload fields: want a JSON object, got %s", data)
	}
	var out Fields
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("upload fields: %w", err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("upload field %v: %w", t, err)
		}
		out = append(out, Field{Name: t.(string), Value: v})
	}
	*f = out
	return nil
}

// MarshalJSON writes the fields as a JSON object, in order.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, fd := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(fd.Name)
		v, _ := json.Marshal(fd.Value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns the value of the named field ("" when absent).
func (f Fields) Get(name string) string {
	for _, fd := range f {
		if fd.Name == name {
			return fd.Value
		}
	}
	return ""
}
