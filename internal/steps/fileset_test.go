package steps

import (
	"fmt"
	"os"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// The rows of many users, interleaved as in a file, come out in each user's
// file in their order, whatever the buffer's size.
func TestFileSetKeepsEachFilesRowsInOrder(t *testing.T) {
	for _, limit := range []int{1, 700, 64 << 10, fileSetBuffer} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			fs := newFileSet(t.TempDir())
			fs.limit = limit
			const names, rows = 300, 3000
			for i := range rows {
				if err := fs.write(fmt.Sprint("user-", i%names), crm.Row{Number: i + 2}); err != nil {
					t.Fatal(err)
				}
			}
			if err := fs.flush(); err != nil {
				t.Fatal(err)
			}
			if fs.count() != names {
				t.Errorf("count() = %d, want %d", fs.count(), names)
			}
			for n := range names {
				f, err := os.Open(fs.path(fmt.Sprint("user-", n)))
				if err != nil {
					t.Fatal(err)
				}
				var got []int
				err = crm.ReadLines(f, func(r crm.Row) error { got = append(got, r.Number); return nil })
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != rows/names {
					t.Fatalf("user-%d has %d rows, want %d", n, len(got), rows/names)
				}
				for k, num := range got {
					if want := n + k*names + 2; num != want {
						t.Fatalf("user-%d row %d = %d, want %d", n, k, num, want)
					}
				}
			}
		})
	}
}

// A file naming thousands of users holds no descriptor per user: Lambda
// allows 1,024 in all.
func TestFileSetHoldsNoFileOpenBetweenWrites(t *testing.T) {
	open := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	fs := newFileSet(t.TempDir())
	fs.limit = 4 << 10
	before := open()
	for i := range 5000 {
		if err := fs.write(fmt.Sprint("user-", i), crm.Row{Number: i + 2}); err != nil {
			t.Fatal(err)
		}
	}
	if got := open(); got > before {
		t.Errorf("descriptors open after writing 5,000 files = %d, want %d as before", got, before)
	}
	if err := fs.flush(); err != nil {
		t.Fatal(err)
	}
	if !fs.has("user-4999") || fs.has("user-5000") {
		t.Errorf("has(user-4999), has(user-5000) = %v, %v, want true, false", fs.has("user-4999"), fs.has("user-5000"))
	}
}
