package plan

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestSkipPassesOverTheFirstOps(t *testing.T) {
	long := strings.Repeat("x", 10_000) // longer than the reader's buffer
	ops := []Op{
		{Kind: OpCreate, Row: 2, ID: "a", Fields: map[string]string{"name": long}},
		{Kind: OpUpdate, Row: 3, ID: "b", Version: 2},
		{Kind: OpUnchanged, Row: 4, ID: "c"},
		{Kind: OpError, Row: 5},
	}
	for n := 0; n <= len(ops); n++ {
		var buf bytes.Buffer
		if err := WriteOps(&buf, ops); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReaderSize(&buf, 16)
		if err := Skip(r, n); err != nil {
			t.Fatalf("Skip(%d) = %v, want nil", n, err)
		}
		var got []Op
		pr := NewReader(r)
		for {
			op, err := pr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, op)
		}
		if want := ops[n:]; !reflect.DeepEqual(got, want) && len(want) > 0 {
			t.Errorf("Skip(%d) then read = %v, want %v", n, got, want)
		}
		if n == len(ops) && len(got) != 0 {
			t.Errorf("Skip(%d) then read = %v, want nothing", n, got)
		}
	}
}

func TestSkipPastTheEndIsAnError(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteOps(&buf, []Op{{Kind: OpCreate, ID: "a"}}); err != nil {
		t.Fatal(err)
	}
	err := Skip(bufio.NewReader(&buf), 2)
	if err == nil || !strings.Contains(err.Error(), "ends after 1") {
		t.Errorf("Skip(2) of a plan of 1 op = %v, want an error saying it ends after 1", err)
	}
}
