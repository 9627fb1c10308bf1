package crm

import (
	"reflect"
	"testing"
)

// Add names every field of Counts: one added to the struct and forgotten
// in Add would be summed as 0 over a job's users.
func TestCountsAddSumsEveryField(t *testing.T) {
	var a, b Counts
	va, vb := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem()
	for i := range va.NumField() {
		va.Field(i).SetInt(int64(i + 1))
		vb.Field(i).SetInt(int64(100 * (i + 1)))
	}
	got := reflect.ValueOf(a.Add(b))
	for i := range got.NumField() {
		if n, want := got.Field(i).Int(), int64(101*(i+1)); n != want {
			t.Errorf("Counts.Add: %s = %d, want %d", got.Type().Field(i).Name, n, want)
		}
	}
}
