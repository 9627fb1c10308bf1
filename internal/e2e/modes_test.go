package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/outcome"
)

// The mode tests seed a tenant's table, import a small file written in the
// test and compare the resulting table item by item with the expected one.
// Every user and tenant that should not be touched holds the same records
// as the user under test (same names, same customer numbers), so a row that
// reached the wrong partition would show up as a change there.

var bo = crm.User{ID: "u-bo", Email: "bo@demo.example", EmployeeNumber: "1008"}

const customers = "customers"

// shops are keyed by name and postcode: two of them share a name.
var shops = []seeded{
	{Entity: customers, ID: "mueller", Version: 3, Fields: map[string]string{"name": "Müller GmbH", "postcode": "10115", "city": "Berlin", "group": "A", "last_visit": "2026-03-01"}},
	{Entity: customers, ID: "rossi", Version: 1, Fields: map[string]string{"name": "Rossi S.r.l.", "postcode": "00184", "city": "Roma", "last_visit": "2026-01-10"}},
	{Entity: customers, ID: "schmidt-1", Version: 1, Fields: map[string]string{"name": "Bäckerei Schmidt", "postcode": "80331", "city": "München"}},
	{Entity: customers, ID: "schmidt-2", Version: 2, Fields: map[string]string{"name": "Bäckerei Schmidt", "postcode": "80333", "city": "München"}},
	{Entity: customers, ID: "dupont", Version: 2, Fields: map[string]string{"name": "Dupont SARL", "postcode": "75001", "city": "Paris", "last_visit": "2025-12-01"}},
	{Entity: customers, ID: "svensson", Version: 1, Fields: map[string]string{"name": "Svensson AB", "postcode": "11151", "city": "Stockholm", "revenue": "1200.5"}},
	// No postcode: a wildcard on the record's side, which a row completes.
	{Entity: customers, ID: "kranz", Version: 5, Fields: map[string]string{"name": "Café Kranz", "city": "Köln", "revenue": "100"}},
}

// numbered are keyed by customer number.
var numbered = []seeded{
	{Entity: customers, ID: "c1", Version: 4, Fields: map[string]string{"customer_number": "C-1", "name": "Müller GmbH", "city": "Berlin", "group": "A", "last_visit": "2026-03-01"}},
	{Entity: customers, ID: "c2", Version: 1, Fields: map[string]string{"customer_number": "C-2", "name": "Rossi S.r.l.", "city": "Roma", "last_visit": "2026-01-10"}},
	{Entity: customers, ID: "c3", Version: 2, Fields: map[string]string{"customer_number": "C-3", "name": "Dupont SARL", "city": "Paris"}},
	{Entity: customers, ID: "c4", Version: 1, Fields: map[string]string{"customer_number": "C-4", "name": "Svensson AB", "city": "Stockholm"}},
	{Entity: customers, ID: "c5", Version: 7, Fields: map[string]string{"customer_number": "C-5", "name": "Kowalski Sp. z o.o.", "city": "Kraków"}},
}

// contact is a record of another entity in the same user's partition.
var contact = seeded{Entity: "contacts", ID: "k1", Version: 1, Fields: map[string]string{"first_name": "Eva", "last_name": "Kowalski"}}

// formula is a cell a spreadsheet would run; as an e-mail it is invalid,
// so it comes back in the error file, where it must be escaped.
const formula = "=1+2"

// seedTenants makes a tenant with anna and bo, and a second tenant whose
// anna has the same ID; all three users start with recs.
func seedTenants(t *testing.T, st *stack, recs []seeded) (tn, other string) {
	t.Helper()
	tn, other = newTenant(t), newTenant(t)
	for _, u := range []crm.User{anna, bo} {
		st.addUser(t, tn, u)
		st.seed(t, tn, u.ID, recs)
	}
	st.addUser(t, other, anna)
	st.seed(t, other, anna.ID, recs)
	return tn, other
}

// importFile uploads a CSV under a saved configuration and waits for the
// job to succeed.
func (st *stack) importFile(t *testing.T, tn, config, csv string) crm.Job {
	t.Helper()
	st.saveConfig(t, tn, "cfg", config)
	id := st.upload(t, tn, customers, "file.csv", []byte(csv), "cfg")
	j := st.waitJob(t, tn, id)
	if j.Status != crm.Succeeded {
		t.Fatalf("job status = %s (%s), want SUCCEEDED", j.Status, j.Reason)
	}
	// Every row of these files belongs to a user, so an ended job has done
	// them all. Deleted records may count as work to do, but then in the
	// total as well as in what is done.
	rows, withDeletes := j.Counts.Rows, j.Counts.Rows+j.Counts.Deleted
	if j.Done != j.Total || (j.Total != rows && j.Total != withDeletes) {
		// Fails for update_delete until fixed: apply reports deleted
		// records as done (internal/dynamo/apply.go, report), while the
		// total that split puts on the job counts the file's rows only
		// (internal/steps/split.go).
		t.Errorf("job progress = %d/%d, want %d/%d (rows) or %d/%d (rows and deletes)",
			j.Done, j.Total, rows, rows, withDeletes, withDeletes)
	}
	return j
}

func checkCounts(t *testing.T, j crm.Job, want crm.Counts) {
	t.Helper()
	if j.Counts != want {
		t.Errorf("job counts = %+v, want %+v", j.Counts, want)
	}
}

// checkEscapedFormula checks the error file's line for the formula cell.
func checkEscapedFormula(t *testing.T, lines [][]string, row string) {
	t.Helper()
	got := linesOfRow(lines, row)
	if len(got) != 1 || got[0][1] != "Email" || got[0][2] != "'"+formula {
		t.Errorf("error file lines of row %s = %q, want one line for column Email with the value escaped as %q", row, got, "'"+formula)
	}
}

// byAgent assigns rows by the agent's e-mail; the column is not stored.
const byAgent = `"assignment": {"column": "Agent email", "by": "email"}, "mapping": {"Agent email": "ignore"}, "locale": "en-US"`

func TestAddModeCreatesNewKeysAndSkipsExistingOnes(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn, other := seedTenants(t, st, numbered)
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "add", "key_fields": ["customer_number"], `+byAgent+`}`,
		"Customer number,Name,City,Email,Agent email\n"+
			"C-1,Müller AG,Hamburg,,anna.berg@demo.example\n"+ // row 2: the key exists: skipped, record untouched
			"C-10,Neu GmbH,Hamburg,neu@neu.example,anna.berg@demo.example\n"+ // row 3
			"C-11,Café Kranz,Köln,,bo@demo.example\n"+ // row 4: bo's
			"C-12,Bad Row,Köln,"+formula+",anna.berg@demo.example\n") // row 5: invalid

	checkCounts(t, j, crm.Counts{Rows: 4, Invalid: 1, Created: 2, Skipped: 1})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered).
		create("C-10", customers, j.ID, map[string]string{"customer_number": "C-10", "name": "Neu GmbH", "city": "Hamburg", "email": "neu@neu.example"}))
	st.checkTable(t, tn, bo.ID, "customer_number", asTable(numbered).
		create("C-11", customers, j.ID, map[string]string{"customer_number": "C-11", "name": "Café Kranz", "city": "Köln"}))
	st.checkTable(t, other, anna.ID, "customer_number", asTable(numbered))

	st.checkOutcomes(t, tn, j.ID, anna.ID, map[int]outcome.Status{2: outcome.Skipped, 3: outcome.Created, 5: outcome.Error}, 0)
	st.checkOutcomes(t, tn, j.ID, bo.ID, map[int]outcome.Status{4: outcome.Created}, 0)
	if p := st.preview(t, tn, j.ID, anna.ID); p.Matched != 1 || p.Creates != 1 || p.Skipped != 1 {
		t.Errorf("anna's preview matched %d, creates %d, skipped %d; want 1, 1, 1", p.Matched, p.Creates, p.Skipped)
	}
	lines := st.errorLines(t, j)
	if got := linesOfRow(lines, "2"); len(got) != 1 || !strings.Contains(got[0][3], "seed-c1") {
		t.Errorf("error file lines of row 2 = %q, want one saying record seed-c1 already has the key", got)
	}
	checkEscapedFormula(t, lines, "5")
}

func TestUpdateModeMatchesByKeyUnderFieldPolicies(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn, other := seedTenants(t, st, shops)
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["name", "postcode"],
		"policies": {"group": "fill_empty", "last_visit": "overwrite_if_greater", "revenue": "overwrite_if_greater"}, "default_policy": "overwrite", `+byAgent+`}`,
		"Name,Postcode,City,Group,Last visit,Revenue,Email,Agent email\n"+
			// Dates and numbers compare by value, written as ISO or in the
			// locale's format (en-US).
			// row 2: empty postcode is a wildcard: the one Müller; city
			// overwritten, group kept, the older visit does not win.
			"Müller GmbH,,Berlin-Mitte,B,2/1/2026,,,anna.berg@demo.example\n"+
			// row 3: key compared without case; an empty field under
			// fill_empty is filled, the newer visit wins.
			"ROSSI S.R.L.,00184,Roma,C,3/15/2026,,,anna.berg@demo.example\n"+
			// row 4: two Bäckerei Schmidt: ambiguous.
			"Bäckerei Schmidt,,München,,,,,anna.berg@demo.example\n"+
			// row 5: nothing new.
			"Dupont SARL,75001,Paris,,2025-12-01,,,anna.berg@demo.example\n"+
			// row 6: no such record: created.
			"Neu GmbH,20095,Hamburg,A,2026-03-20,,,anna.berg@demo.example\n"+
			// row 7: invalid e-mail.
			"Bad Row,12345,Köln,,,,"+formula+",anna.berg@demo.example\n"+
			// row 8: bo's own Müller, found without case and accents.
			"MULLER GMBH,10115,Potsdam,,,,,bo@demo.example\n"+
			// row 9: a smaller revenue does not win.
			"Svensson AB,11151,Göteborg,,,999.99,,anna.berg@demo.example\n"+
			// row 10: the same key as row 9: reported, not applied.
			"svensson ab,11151,Malmö,,,,,anna.berg@demo.example\n"+
			// row 11: completes the postcode of the record without one;
			// a greater revenue wins.
			"Cafe Kranz,50667,Köln,,,\"1,250.75\",,anna.berg@demo.example\n")

	checkCounts(t, j, crm.Counts{Rows: 10, Invalid: 1, Created: 1, Updated: 5, Unchanged: 1, Failed: 2})
	st.checkTable(t, tn, anna.ID, "name", asTable(shops).
		update("mueller", j.ID, map[string]string{"city": "Berlin-Mitte"}).
		update("rossi", j.ID, map[string]string{"group": "C", "last_visit": "2026-03-15"}).
		update("svensson", j.ID, map[string]string{"city": "Göteborg"}).
		update("kranz", j.ID, map[string]string{"postcode": "50667", "revenue": "1250.75"}).
		create("Neu GmbH", customers, j.ID, map[string]string{"name": "Neu GmbH", "postcode": "20095", "city": "Hamburg", "group": "A", "last_visit": "2026-03-20"}))
	st.checkTable(t, tn, bo.ID, "name", asTable(shops).update("mueller", j.ID, map[string]string{"city": "Potsdam"}))
	st.checkTable(t, other, anna.ID, "name", asTable(shops))

	st.checkOutcomes(t, tn, j.ID, anna.ID, map[int]outcome.Status{
		2: outcome.Updated, 3: outcome.Updated, 4: outcome.Error, 5: outcome.Unchanged, 6: outcome.Created, 7: outcome.Error,
		9: outcome.Updated, 10: outcome.Error, 11: outcome.Updated,
	}, 0)
	st.checkOutcomes(t, tn, j.ID, bo.ID, map[int]outcome.Status{8: outcome.Updated}, 0)
	if p := st.preview(t, tn, j.ID, anna.ID); p.Matched != 5 || p.Updates != 4 || p.Unchanged != 1 || p.Creates != 1 || p.Errors != 3 {
		t.Errorf("anna's preview = %+v, want matched 5 (4 updates, 1 unchanged), 1 create, 3 errors", p)
	}
	if p := st.preview(t, tn, j.ID, bo.ID); p.Matched != 1 {
		t.Errorf("bo's preview matched %d, want 1", p.Matched)
	}

	lines := st.errorLines(t, j)
	amb := linesOfRow(lines, "4")
	if len(amb) != 1 {
		t.Fatalf("error file lines of row 4 = %q, want one for the ambiguous row", amb)
	}
	for _, want := range []string{"matches 2 existing records", "seed-schmidt-1", "seed-schmidt-2", `postcode="80331"`, `postcode="80333"`} {
		if !strings.Contains(amb[0][3], want) {
			t.Errorf("error file reason of row 4 = %q, want it to name %s", amb[0][3], want)
		}
	}
	checkEscapedFormula(t, lines, "7")
	if dup := linesOfRow(lines, "10"); len(dup) != 1 || !strings.Contains(dup[0][3], "row 9 has the same key") {
		t.Errorf("error file lines of row 10 = %q, want one saying row 9 has the same key", dup)
	}
}

func TestUpdateOnlyWithKeyAndOneFieldChangesOnlyThatField(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	// One user: the file needs no assignment column, so it holds the key
	// column and the one field only.
	tn, other := newTenant(t), newTenant(t)
	st.addUser(t, tn, anna)
	st.seed(t, tn, anna.ID, numbered)
	st.addUser(t, other, anna)
	st.seed(t, other, anna.ID, numbered)
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "update_only", "key_fields": ["customer_number"], "locale": "en-US"}`,
		"Customer number,Last visit\n"+
			"C-1,2026-02-15\n"+ // row 2: overwrite (the default) takes an older date too
			"c-2,2026-01-10\n"+ // row 3: same date: unchanged
			"C-3,2026-04-01\n"+ // row 4: fills an empty field
			"C-99,2026-04-01\n") // row 5: update only never creates

	checkCounts(t, j, crm.Counts{Rows: 4, Updated: 2, Unchanged: 1, Skipped: 1})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(numbered).
		update("c1", j.ID, map[string]string{"last_visit": "2026-02-15"}).
		update("c3", j.ID, map[string]string{"last_visit": "2026-04-01"}))
	st.checkTable(t, other, anna.ID, "customer_number", asTable(numbered))

	st.checkOutcomes(t, tn, j.ID, anna.ID, map[int]outcome.Status{2: outcome.Updated, 3: outcome.Unchanged, 4: outcome.Updated, 5: outcome.Skipped}, 0)
	if p := st.preview(t, tn, j.ID, anna.ID); p.Matched != 3 || p.Skipped != 1 {
		t.Errorf("anna's preview matched %d, skipped %d; want 3, 1", p.Matched, p.Skipped)
	}
	if got := linesOfRow(st.errorLines(t, j), "5"); len(got) != 1 || !strings.Contains(got[0][3], "never creates") {
		t.Errorf("error file lines of row 5 = %q, want one saying update only never creates records", got)
	}
}

func TestUpdateDeleteRemovesOnlyThatUsersAbsentRecords(t *testing.T) {
	t.Parallel()
	st := newStack(t)
	tn, other := seedTenants(t, st, numbered)
	carol := crm.User{ID: "u-carol", Email: "carol@demo.example"}
	st.addUser(t, tn, carol)
	st.seed(t, tn, carol.ID, numbered)
	st.seed(t, tn, anna.ID, []seeded{contact})
	st.seed(t, other, anna.ID, []seeded{contact})
	j := st.importFile(t, tn, `{"version": 1, "entity": "customers", "mode": "update_delete", "key_fields": ["customer_number"], `+byAgent+`}`,
		"Customer number,Name,City,Email,Agent email\n"+
			"C-1,Müller GmbH,Potsdam,,anna.berg@demo.example\n"+ // row 2
			"C-2,Rossi S.r.l.,Roma,,anna.berg@demo.example\n"+ // row 3: unchanged
			"C-3,Dupont SARL,Paris,"+formula+",anna.berg@demo.example\n"+ // row 4: invalid, yet it keeps C-3 from deletion
			"C-6,Neu GmbH,Hamburg,,anna.berg@demo.example\n"+ // row 5
			"C-5,Kowalski Sp. z o.o.,Kraków,,bo@demo.example\n") // row 6: bo's C-5 stays, anna's does not

	// Each user's absent records go: anna's C-4 and C-5, bo's C-1 to C-4.
	// Carol has no row: the file is not hers, so none of her records is
	// absent from it. Anna's contact is another entity.
	checkCounts(t, j, crm.Counts{Rows: 5, Invalid: 1, Created: 1, Updated: 1, Unchanged: 2, Deleted: 6})
	st.checkTable(t, tn, anna.ID, "customer_number", asTable(slices.Concat(numbered, []seeded{contact})).
		update("c1", j.ID, map[string]string{"city": "Potsdam"}).
		remove("c4").remove("c5").
		create("C-6", customers, j.ID, map[string]string{"customer_number": "C-6", "name": "Neu GmbH", "city": "Hamburg"}))
	st.checkTable(t, tn, bo.ID, "customer_number", asTable(numbered).remove("c1").remove("c2").remove("c3").remove("c4"))
	st.checkTable(t, tn, carol.ID, "customer_number", asTable(numbered))
	st.checkTable(t, other, anna.ID, "customer_number", asTable(slices.Concat(numbered, []seeded{contact})))

	st.checkOutcomes(t, tn, j.ID, anna.ID, map[int]outcome.Status{2: outcome.Updated, 3: outcome.Unchanged, 4: outcome.Error, 5: outcome.Created}, 2)
	st.checkOutcomes(t, tn, j.ID, bo.ID, map[int]outcome.Status{6: outcome.Unchanged}, 4)
	// The invalid row names C-3 but is an error, not a match.
	if p := st.preview(t, tn, j.ID, anna.ID); p.Matched != 2 || p.Deletes != 2 {
		t.Errorf("anna's preview matched %d, deletes %d; want 2, 2", p.Matched, p.Deletes)
	}
	if p := st.preview(t, tn, j.ID, bo.ID); p.Matched != 1 || p.Deletes != 4 {
		t.Errorf("bo's preview matched %d, deletes %d; want 1, 4", p.Matched, p.Deletes)
	}
	// Every record written has its before-image: 1 update, 1 create, 6 deletes.
	if n := st.beforeImages(t, tn, j.ID); n != 8 {
		t.Errorf("before-images of the import = %d, want 8", n)
	}
	checkEscapedFormula(t, st.errorLines(t, j), "4")
}
