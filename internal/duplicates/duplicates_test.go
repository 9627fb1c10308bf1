package duplicates

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

const imp = "imp-1"

func rec(id, importID string, kv ...string) crm.Record {
	f := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	return crm.Record{Entity: "customers", ID: id, Fields: f, ImportID: importID}
}

func TestReportPairsTheImportsRecordsWithLookAlikes(t *testing.T) {
	type user struct {
		name string
		recs []crm.Record
	}
	tests := []struct {
		name  string
		users []user
		want  []Pair
	}{
		{"the same e-mail in another case, against an existing record",
			[]user{{"u1", []crm.Record{rec("a", imp, "name", "Eva Lis", "email", "Eva@Lis.example"), rec("b", "old", "name", "E. Lis", "email", "eva@lis.example ")}}},
			[]Pair{{A: Ref{ID: "a", User: "u1", Name: "Eva Lis", Import: true}, B: Ref{ID: "b", User: "u1", Name: "E. Lis"}, Shared: map[string]string{Email: "eva@lis.example"}}}},
		{"a mobile that is another user's phone",
			[]user{{"u1", []crm.Record{rec("a", imp, "name", "X", "mobile", "+491701234567")}}, {"u2", []crm.Record{rec("b", "", "name", "Y", "phone", "+491701234567")}}},
			[]Pair{{A: Ref{ID: "a", User: "u1", Name: "X", Import: true}, B: Ref{ID: "b", User: "u2", Name: "Y"}, Shared: map[string]string{Phone: "+491701234567"}}}},
		{"name and postcode, accents and spacing folded, within the file",
			[]user{{"u1", []crm.Record{rec("b", imp, "name", "Müller GmbH", "postcode", "10115"), rec("a", imp, "name", "Muller  GmbH", "postcode", "10 115")}}},
			[]Pair{{A: Ref{ID: "a", User: "u1", Name: "Muller  GmbH", Import: true}, B: Ref{ID: "b", User: "u1", Name: "Müller GmbH", Import: true}, Shared: map[string]string{NamePostcode: "mullergmbh 10115"}, WithinFile: true}}},
		{"two shared values make one pair naming both",
			[]user{{"u1", []crm.Record{rec("a", imp, "first_name", "Jan", "last_name", "Nowak", "national_id", "44051401458", "email", "jan@x.example"), rec("b", "old", "national_id", "44051401458", "email", "JAN@x.example")}}},
			[]Pair{{A: Ref{ID: "a", User: "u1", Name: "Jan Nowak", Import: true}, B: Ref{ID: "b", User: "u1"}, Shared: map[string]string{Email: "jan@x.example", NationalID: "44051401458"}}}},
		{"two existing records alike are not this import's business",
			[]user{{"u1", []crm.Record{rec("a", "old", "email", "same@x.example"), rec("b", "older", "email", "same@x.example"), rec("c", imp, "email", "other@x.example")}}},
			nil},
		{"a name without a postcode, or a short phone, is no match",
			[]user{{"u1", []crm.Record{rec("a", imp, "name", "Lis", "phone", "123"), rec("b", "old", "name", "Lis", "phone", "123")}}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(imp, "customers")
			n := 0
			for _, u := range tt.users {
				for _, r := range u.recs {
					f.Add(u.name, r)
					n++
				}
			}
			rep := f.Report()
			if rep.Checked != n || rep.Total != len(tt.want) {
				t.Errorf("Report() checked %d, total %d; want %d, %d", rep.Checked, rep.Total, n, len(tt.want))
			}
			if len(tt.want) == 0 && len(rep.Pairs) == 0 {
				return
			}
			if !reflect.DeepEqual(rep.Pairs, tt.want) {
				t.Errorf("Report().Pairs = %+v, want %+v", rep.Pairs, tt.want)
			}
		})
	}
}

func TestReportListsPairsWithinTheFileFirstAndBoundsThem(t *testing.T) {
	f := New(imp, "customers")
	f.Add("u1", rec("old", "old", "email", "a@x.example"))
	f.Add("u1", rec("n1", imp, "email", "a@x.example"))
	f.Add("u1", rec("n2", imp, "email", "a@x.example"))
	rep := f.Report()
	if rep.Total != 3 || rep.WithinFile != 1 || rep.Existing != 2 || !rep.Pairs[0].WithinFile {
		t.Errorf("Report() = %+v, want 3 pairs, the one within the file first", rep)
	}

	// 100 existing records share a switchboard number; two of the
	// import's share it too, and an e-mail: the import's records are
	// always paired, the existing ones past maxPerKey only counted.
	many := New(imp, "customers")
	for i := range 100 {
		many.Add("u1", rec(fmt.Sprintf("old%03d", i), "old", "phone", "+4930123456"))
	}
	many.Add("u1", rec("new1", imp, "phone", "+4930123456", "email", "x@y.example"))
	many.Add("u1", rec("new2", imp, "phone", "+4930123456", "email", "x@y.example"))
	rep = many.Report()
	within := 0
	for _, p := range rep.Pairs {
		if p.WithinFile {
			within++
			if !reflect.DeepEqual(p.Shared, map[string]string{Email: "x@y.example", Phone: "+4930123456"}) {
				t.Errorf("the pair within the file shares %v, want the e-mail and the phone", p.Shared)
			}
		}
	}
	if within != 1 || rep.Existing != 2*maxPerKey || !reflect.DeepEqual(rep.Common, []Common{{Shared: Phone, Value: "+4930123456", NotPaired: 100 - maxPerKey}}) {
		t.Errorf("Report() = %d within, %d existing, common %+v; want 1, %d, and the phone with %d records not paired", within, rep.Existing, rep.Common, 2*maxPerKey, 100-maxPerKey)
	}
}

// The finder keeps every record of the tenant it is given, a million for
// the 1M bench's finalize: little of each (560 bytes a record before its
// values became hashes, 141 after; a bound, not a timing).
func TestAFinderKeepsLittleOfEachRecord(t *testing.T) {
	const n = 100_000
	records := make([]crm.Record, n)
	for i := range records {
		records[i] = crm.Record{ID: fmt.Sprintf("01JD%022d", i), ImportID: "imp", Fields: map[string]string{
			"name": fmt.Sprintf("Kunde %d GmbH", i), "email": fmt.Sprintf("kunde%d@example.de", i),
			"phone": fmt.Sprintf("+4930%08d", i), "postcode": fmt.Sprint(10000 + i%90000)}}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := New("imp", "customers")
	for i, r := range records {
		f.Add(fmt.Sprintf("u-%04d", i%1000), r)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// The records' own strings (ids, names) are shared with the caller's
	// here; in finalize they are the finder's alone, about 60 bytes more.
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes a record", per)
	if per > 200 {
		t.Errorf("the finder keeps %d bytes a record, want at most 200", per)
	}
	if rep := f.Report(); rep.Checked != n || rep.Total != 0 {
		t.Errorf("Report() = %d checked, %d pairs; want %d, 0", rep.Checked, rep.Total, n)
	}
	runtime.KeepAlive(records)
}

// A record cut to its compared fields pairs as the whole record does, and
// keeps its name.
func TestComparedFieldsPairAsTheWholeRecord(t *testing.T) {
	imported := crm.Record{ID: "a", ImportID: "imp", Fields: map[string]string{"first_name": "Ana", "last_name": "Silva", "mobile": "+4915112345678",
		"email": "ana@x.example", "national_id": "123", "postcode": "10115", "city": "Berlin", "notes": "long text"}}
	others := []crm.Record{
		{ID: "b", Fields: map[string]string{"phone": "+4915112345678", "city": "Hamburg"}},
		{ID: "c", Fields: map[string]string{"name": "Ana Silva", "postcode": "10 115"}},
		{ID: "d", Fields: map[string]string{"email": "ANA@x.example", "national_id": "123"}},
	}
	report := func(cut bool) Report {
		f := New("imp", "contacts")
		for _, r := range append([]crm.Record{imported}, others...) {
			if cut {
				r.Fields = Compared(r.Fields)
			}
			f.Add("u", r)
		}
		return f.Report()
	}
	whole, cut := report(false), report(true)
	if whole.Total != 3 || !reflect.DeepEqual(whole, cut) {
		t.Errorf("cut to its compared fields: %+v\nwhole: %+v; want the same 3 pairs", cut, whole)
	}
}
