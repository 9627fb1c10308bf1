package e2e

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
	"github.com/xuri/excelize/v2"
)

// exportAnswer is what GET /exports/{entity} answers.
type exportAnswer struct {
	FileName string
	Records  int
	Users    int
	URL      string
}

func (w *wizard) export(t *testing.T, query string) ([]byte, exportAnswer) {
	t.Helper()
	var a exportAnswer
	if code := call(t, w.api+"/exports/customers"+query, w.token, &a); code != http.StatusOK {
		t.Fatalf("GET /exports/customers%s = %d %+v, want 200", query, code, a)
	}
	resp, err := http.Get(a.URL)
	if err != nil {
		t.Fatalf("GET %s: %v", a.URL, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download of the export = %d %s, want 200", resp.StatusCode, data)
	}
	return data, a
}

// An export of the tenant's customers (portatour's export with "ID
// portatour"), edited and uploaded again with no configuration, updates
// the records it names by their own id and nothing else; an id no record
// has is a row error. Every format reads back with the import's readers;
// the other tenant's export holds only its own records.
func TestAnExportEditedAndUploadedAgainUpdatesItsRecords(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn, other := seedTenants(t, st, numbered)
	admin := newWizard(t, st, tn)

	for _, format := range []string{"xlsx", "ods"} {
		data, a := admin.export(t, "?format="+format+"&lang=it")
		path := filepath.Join(t.TempDir(), a.FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := sheet.Open(path, sheet.Options{})
		if err != nil {
			t.Fatalf("sheet.Open(%s export) = %v", format, err)
		}
		rows := 0
		for _, err := r.Next(); err == nil; _, err = r.Next() {
			rows++
		}
		r.Close()
		if h := r.Header(); a.Records != 10 || rows != 10 || h[0] != schema.RecordIDTitle || !slices.Contains(h, "Città") {
			t.Errorf("%s export: %d records, %d rows, header %q; want 10 of each, the id first, Italian titles", format, a.Records, rows, h)
		}
	}

	data, a := admin.export(t, "?format=csv&lang=de")
	if a.Records != 10 || a.Users != 2 {
		t.Fatalf("export = %+v, want anna's and bo's 10 customers", a)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	city := slices.Index(rows[0], "Ort")
	if city < 0 {
		t.Fatalf("header %q has no Ort (the city in German)", rows[0])
	}
	var c1, c3 int
	for i, r := range rows {
		if r[1] == anna.Email && r[0] == seedPrefix+"c1" {
			c1 = i
		}
		if r[1] == anna.Email && r[0] == seedPrefix+"c3" {
			c3 = i
		}
	}
	rows[c1][city] = "Potsdam" // edited
	rows[c3][0] = "gone"       // an id no record has
	var edited bytes.Buffer
	edited.WriteString("\ufeff")
	cw := csv.NewWriter(&edited)
	_ = cw.WriteAll(rows)

	j := st.waitJob(t, tn, st.upload(t, tn, customers, a.FileName, edited.Bytes(), ""))
	if j.Status != crm.Succeeded {
		t.Fatalf("import of the edited export = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	checkCounts(t, j, crm.Counts{Rows: 10, Updated: 1, Unchanged: 8, Failed: 1})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered).update("c1", j.ID, map[string]string{"city": "Potsdam"}))
	st.checkTable(t, tn, bo.ID, "customer_number", asTable(numbered))
	got := linesOfRow(st.errorLines(t, j), strconv.Itoa(c3+1))
	if len(got) != 1 || got[0][1] != schema.RecordIDTitle || got[0][2] != "gone" {
		t.Errorf("error file lines of row %d = %q, want one for %s, gone", c3+1, got, schema.RecordIDTitle)
	}

	// One user's customers as a workbook, two cells edited in it:
	// exactly those two values change.
	data, a = admin.export(t, "?format=xlsx&user="+anna.Email)
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheetName := wb.GetSheetName(0)
	xrows, err := wb.GetRows(sheetName)
	if err != nil || a.Records != 5 || len(xrows) != 6 {
		t.Fatalf("anna's workbook = %d records, %d rows (%v), want 5 and a title row", a.Records, len(xrows), err)
	}
	edit := func(id, title, value string) {
		t.Helper()
		col := slices.Index(xrows[0], title)
		for i, r := range xrows {
			if r[0] == seedPrefix+id && col >= 0 {
				cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
				if err := wb.SetCellStr(sheetName, cell, value); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no cell %s of %s in %q", title, id, xrows[0])
	}
	edit("c2", "City", "Milano")
	edit("c4", "Name", "Svensson AB Göteborg")
	var xlsx bytes.Buffer
	if err := wb.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	j2 := st.waitJob(t, tn, st.upload(t, tn, customers, a.FileName, xlsx.Bytes(), ""))
	checkCounts(t, j2, crm.Counts{Rows: 5, Updated: 2, Unchanged: 3})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered).
		update("c1", j.ID, map[string]string{"city": "Potsdam"}).
		update("c2", j2.ID, map[string]string{"city": "Milano"}).
		update("c4", j2.ID, map[string]string{"name": "Svensson AB Göteborg"}))

	if _, theirs := newWizard(t, st, other).export(t, "?format=csv"); theirs.Records != 5 || theirs.Users != 1 {
		t.Errorf("the other tenant's export = %+v, want its 5 customers of its one user", theirs)
	}
}
