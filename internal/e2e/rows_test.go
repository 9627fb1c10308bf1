package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/outcome"
)

// An update import creates the rows whose key matches nothing: such a row
// without the entity's required name must end in the error file, not as a
// customer without a name.
func TestUpdateImportCreatesNoRecordWithoutItsRequiredFields(t *testing.T) {
	t.Parallel()
	const update = `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"], "locale": "en-US"}`
	tests := []struct {
		name       string
		file       string
		wantTable  func(importID string) table
		wantColumn string // of the error file's line for row 3
		wantReason string
	}{
		{
			name: "the name column is empty in the unmatched row",
			file: "Customer number,Name,City\n" +
				"C-1,,Potsdam\n" + // row 2: matches c1, which keeps its name
				"C-9,,Hamburg\n" + // row 3: matches nothing and has no name
				"C-10,Neu GmbH,Köln\n", // row 4: created
			wantTable: func(id string) table {
				return asTable(numbered).
					update("c1", id, map[string]string{"city": "Potsdam"}).
					create("C-10", customers, id, map[string]string{"customer_number": "C-10", "name": "Neu GmbH", "city": "Köln"})
			},
			wantColumn: "Name",
			wantReason: "is empty, but no existing record has this key, so the row would create a new record, which needs it",
		},
		{
			name: "the file has no name column",
			file: "Customer number,City\n" +
				"C-1,Potsdam\n" +
				"C-9,Hamburg\n",
			wantTable: func(id string) table {
				return asTable(numbered).update("c1", id, map[string]string{"city": "Potsdam"})
			},
			wantReason: `the file has no column for the required field "Name", but no existing record has this key, so the row would create a new record, which needs it`,
		},
	}
	st := newStack(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t)
			st.addUser(t, tn, anna) // the only user: rows need no agent column
			st.seed(t, tn, anna.ID, numbered)

			j := st.importFile(t, tn, update, tt.file)

			rows := strings.Count(tt.file, "\n") - 1
			created := rows - 2
			checkCounts(t, j, crm.Counts{Rows: rows, Updated: 1, Created: created, Failed: 1})
			st.checkTable(t, tn, anna.ID, "customer_number", tt.wantTable(j.ID))
			want := map[int]outcome.Status{2: outcome.Updated, 3: outcome.Error}
			if created > 0 {
				want[4] = outcome.Created
			}
			st.checkOutcomes(t, tn, j.ID, anna.ID, want, 0)
			if p := st.preview(t, tn, j.ID, anna.ID); p.Errors != 1 || p.Creates != created {
				t.Errorf("anna's preview errors %d, creates %d; want 1, %d", p.Errors, p.Creates, created)
			}
			got := linesOfRow(st.errorLines(t, j), "3")
			if len(got) != 1 || got[0][1] != tt.wantColumn || got[0][3] != tt.wantReason {
				t.Errorf("error file lines of row 3 = %q, want one for column %q saying %q", got, tt.wantColumn, tt.wantReason)
			}
		})
	}
}

// The size of an upload is read from its metadata: a file over the
// tenant's limit is refused before it is read, so a small limit in the
// tenant's PROFILE item shows it without a large file.
func TestUploadOverTheTenantsSizeLimitIsRefusedUnread(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn := newTenant(t)
	st.addUser(t, tn, anna)
	if err := st.tenants.PutProfile(context.Background(), tn, crm.Profile{MaxUploadBytes: 1000}); err != nil {
		t.Fatal(err)
	}
	file := "Customer number,Name\n" + strings.Repeat("C-1,Müller GmbH\n", 200) // 3,421 bytes

	id := st.upload(t, tn, customers, "big.csv", []byte(file), "")
	j := st.waitJob(t, tn, id)

	if j.Status != crm.Failed {
		t.Fatalf("job status = %s, want FAILED", j.Status)
	}
	if want := "the file is 0.003 MB; one import may be at most 0.001 MB"; !strings.Contains(j.Reason, want) {
		t.Errorf("job reason = %q, want it to say %q", j.Reason, want)
	}
	if exec := st.execution(t, id); exec.Status != sfntypes.ExecutionStatusFailed {
		t.Errorf("execution status = %s, want FAILED", exec.Status)
	}
	if n := len(st.records(t, tn, anna.ID)); n != 0 {
		t.Errorf("records written by a refused import = %d, want 0", n)
	}
	// Validate writes records.jsonl while it reads the file: nothing under
	// the import's work prefix means the file was never read.
	prefix := crm.Work{Tenant: tn, ImportID: id}.Prefix()
	out, err := st.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &st.bucket, Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("ListObjectsV2(%s): %v", prefix, err)
	}
	for _, o := range out.Contents {
		if strings.HasSuffix(aws.ToString(o.Key), "records.jsonl") {
			t.Errorf("work file %s exists, want the upload refused before it is read", aws.ToString(o.Key))
		}
	}
}
