package plan

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

// existing is the same user's records for every case.
func existing() []crm.Record {
	return []crm.Record{
		{Entity: "customer", ID: "c1", Version: 3, Fields: map[string]string{
			"customer_no": "1001", "name": "Müller GmbH", "street": "Hauptstr. 1", "postcode": "10115",
			"phone": "+493011111", "last_visit": "2026-05-10", "revenue": "2500", "visit_interval": "30"}},
		{Entity: "customer", ID: "c2", Version: 1, Fields: map[string]string{
			"customer_no": "1002", "name": "Müller GmbH", "street": "Bahnhofstr. 9", "postcode": "80331"}},
		{Entity: "customer", ID: "c3", Version: 7, Fields: map[string]string{
			"customer_no": "1003", "name": "Schmidt AG", "street": "Ring 3", "postcode": "50667", "last_visit": "2026-01-15"}},
	}
}

// describe renders an op compactly so a case can list what it expects.
func describe(op Op) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", op.Kind)
	if op.Row > 0 {
		fmt.Fprintf(&b, " row %d", op.Row)
	}
	if op.ID != "" && op.Kind != OpCreate {
		fmt.Fprintf(&b, " %s", op.ID)
	}
	for _, c := range op.Changes {
		fmt.Fprintf(&b, " %s:%q->%q", c.Field, c.Old, c.New)
	}
	if op.Kind == OpCreate {
		keys := make([]string, 0, len(op.Fields))
		for f, v := range op.Fields {
			keys = append(keys, f+"="+v)
		}
		slices.Sort(keys)
		fmt.Fprintf(&b, " {%s}", strings.Join(keys, " "))
	}
	return b.String()
}

func row(n int, kv ...string) crm.Row {
	r := crm.Row{Number: n, Fields: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		r.Fields[kv[i]] = kv[i+1]
	}
	return r
}

var kinds = map[string]Kind{"last_visit": Date, "revenue": Number, "visit_interval": Number}

func TestBuild(t *testing.T) {
	byNumber := Options{Entity: "customer", KeyFields: []string{"customer_no"}, Kinds: kinds}
	byAddress := Options{Entity: "customer", KeyFields: []string{"name", "street", "postcode"}, Kinds: kinds}
	with := func(o Options, f func(*Options)) Options { f(&o); return o }
	mode := func(m crm.Mode) func(*Options) { return func(o *Options) { o.Mode = m } }

	tests := []struct {
		name string
		opts Options
		rows []crm.Row
		want []string
	}{
		{
			name: "add without key fields creates every row",
			opts: Options{Entity: "customer", Mode: crm.Add},
			rows: []crm.Row{row(2, "name", "Müller GmbH", "postcode", "10115"), row(3, "name", "Neu KG", "phone", "")},
			want: []string{"create row 2 {name=Müller GmbH postcode=10115}", "create row 3 {name=Neu KG}"},
		},
		{
			name: "add skips a row whose key exists and creates the others",
			opts: with(byNumber, mode(crm.Add)),
			rows: []crm.Row{row(2, "customer_no", "1001", "phone", "+49301"), row(3, "customer_no", "2000", "name", "Neu KG")},
			want: []string{"skip row 2 c1", "create row 3 {customer_no=2000 name=Neu KG}"},
		},
		{
			name: "update updates the matched record and creates the unmatched",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{row(2, "customer_no", "1001", "phone", "+493022222"), row(3, "customer_no", "2000", "name", "Neu KG")},
			want: []string{`update row 2 c1 phone:"+493011111"->"+493022222"`, "create row 3 {customer_no=2000 name=Neu KG}"},
		},
		{
			name: "a row equal to its record is unchanged",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{row(2, "customer_no", "1001", "revenue", "2500.00", "name", "Müller GmbH")},
			want: []string{"unchanged row 2 c1"},
		},
		{
			name: "update only skips rows that match nothing",
			opts: with(byNumber, mode(crm.UpdateOnly)),
			rows: []crm.Row{row(2, "customer_no", "1003", "phone", "+4922133"), row(3, "customer_no", "2000", "name", "Neu KG")},
			want: []string{`update row 2 c3 phone:""->"+4922133"`, "skip row 3"},
		},
		{
			name: "update with deletion deletes the records absent from the file",
			opts: with(byNumber, mode(crm.UpdateDelete)),
			rows: []crm.Row{row(2, "customer_no", "1001"), row(3, "customer_no", "2000")},
			want: []string{"unchanged row 2 c1", "create row 3 {customer_no=2000}", "delete c2", "delete c3"},
		},
		{
			name: "update with deletion keeps records named by rows in error",
			opts: with(byAddress, mode(crm.UpdateDelete)),
			rows: []crm.Row{row(2, "name", "Müller GmbH"), {Number: 3, Fields: map[string]string{"name": "Schmidt AG", "postcode": "50667"},
				Errors: []crm.RowError{{Column: "revenue", Value: "abc", Reason: "not a number"}}}},
			want: []string{"error row 2", "error row 3"},
		},
		{
			name: "an empty key field is a wildcard",
			opts: with(byAddress, mode(crm.Update)),
			rows: []crm.Row{row(2, "name", "MULLER gmbh", "street", "", "postcode", "80331", "phone", "+4989")},
			want: []string{`update row 2 c2 phone:""->"+4989"`},
		},
		{
			name: "a wildcard matching two records is an error",
			opts: with(byAddress, mode(crm.Update)),
			rows: []crm.Row{row(2, "name", "Müller GmbH", "street", "", "postcode", "", "phone", "+4989")},
			want: []string{"error row 2"},
		},
		{
			name: "rows sharing a key: the first is imported, the later ones reported",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{row(2, "customer_no", "2000", "name", "A"), row(3, "customer_no", " 2000", "name", "B"), row(4, "customer_no", "1001", "visit_interval", "14")},
			want: []string{"create row 2 {customer_no=2000 name=A}", "error row 3", `update row 4 c1 visit_interval:"30"->"14"`},
		},
		{
			name: "a wildcard row matching an earlier row's record is reported",
			opts: with(byAddress, mode(crm.Update)),
			rows: []crm.Row{row(2, "name", "Schmidt AG", "street", "Ring 3", "postcode", "50667"), row(3, "name", "Schmidt AG", "postcode", "50667", "phone", "+49")},
			want: []string{"unchanged row 2 c3", "error row 3"},
		},
		{
			name: "all key fields empty cannot be matched",
			opts: with(byAddress, mode(crm.Update)),
			rows: []crm.Row{row(2, "name", "", "phone", "+49")},
			want: []string{"error row 2"},
		},
		{
			name: "key column and one field change only that field",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{row(2, "customer_no", "1001", "visit_interval", "14")},
			want: []string{`update row 2 c1 visit_interval:"30"->"14"`},
		},
		{
			name: "overwrite if greater keeps the newer date and the larger number",
			opts: with(byNumber, func(o *Options) {
				o.Mode = crm.Update
				o.Policies = map[string]crm.Policy{"last_visit": crm.OverwriteIfGreater, "revenue": crm.OverwriteIfGreater}
			}),
			rows: []crm.Row{row(2, "customer_no", "1001", "last_visit", "2026-03-01", "revenue", "999.5")},
			want: []string{"unchanged row 2 c1"},
		},
		{
			name: "overwrite if greater takes a later date and a larger number",
			opts: with(byNumber, func(o *Options) {
				o.Mode = crm.Update
				o.Policies = map[string]crm.Policy{"last_visit": crm.OverwriteIfGreater, "revenue": crm.OverwriteIfGreater}
			}),
			rows: []crm.Row{row(2, "customer_no", "1001", "last_visit", "2026-06-01", "revenue", "10000")},
			want: []string{`update row 2 c1 last_visit:"2026-05-10"->"2026-06-01" revenue:"2500"->"10000"`},
		},
		{
			name: "keep leaves an existing record's fields as they are, an empty one too",
			opts: with(byNumber, func(o *Options) { o.Mode = crm.Update; o.DefaultPolicy = crm.Keep }),
			rows: []crm.Row{row(2, "customer_no", "1003", "name", "Schmidt & Co", "phone", "+49221")},
			want: []string{"unchanged row 2 c3"},
		},
		{
			name: "keep writes the fields of a new record",
			opts: with(byNumber, func(o *Options) { o.Mode = crm.Update; o.DefaultPolicy = crm.Keep }),
			rows: []crm.Row{row(2, "customer_no", "1009", "name", "Neu GmbH", "phone", "+49221")},
			want: []string{"create row 2 {customer_no=1009 name=Neu GmbH phone=+49221}"},
		},
		{
			name: "fill_empty fills only empty fields",
			opts: with(byNumber, func(o *Options) { o.Mode = crm.Update; o.DefaultPolicy = crm.FillEmpty }),
			rows: []crm.Row{row(2, "customer_no", "1003", "name", "Schmidt & Co", "phone", "+49221")},
			want: []string{`update row 2 c3 phone:""->"+49221"`},
		},
		{
			name: "keep on one field, overwrite on another: only the visit interval is updated",
			opts: with(byNumber, func(o *Options) {
				o.Mode = crm.Update
				o.DefaultPolicy = crm.Keep
				o.Policies = map[string]crm.Policy{"visit_interval": crm.Overwrite}
			}),
			rows: []crm.Row{row(2, "customer_no", "1003", "name", "Schmidt & Co", "phone", "+49221", "visit_interval", "14")},
			want: []string{`update row 2 c3 visit_interval:""->"14"`},
		},
		{
			name: "an empty cell does not erase a value",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{row(2, "customer_no", "1001", "phone", "")},
			want: []string{"unchanged row 2 c1"},
		},
		{
			name: "an empty cell clears a value when asked",
			opts: with(byNumber, func(o *Options) { o.Mode = crm.Update; o.EmptyClears = true }),
			rows: []crm.Row{row(2, "customer_no", "1001", "phone", "")},
			want: []string{`update row 2 c1 phone:"+493011111"->""`},
		},
		{
			name: "a key differing only in case and accents is not rewritten",
			opts: with(byAddress, mode(crm.Update)),
			rows: []crm.Row{row(2, "name", "schmidt ag", "street", "RING 3", "postcode", "")},
			want: []string{"unchanged row 2 c3"},
		},
		{
			name: "a row with validation errors is reported, not applied",
			opts: with(byNumber, mode(crm.Update)),
			rows: []crm.Row{{Number: 2, Fields: map[string]string{"customer_no": "1001"}, Errors: []crm.RowError{{Column: "Last visit", Value: "31.02.2026", Reason: "not a date"}}}},
			want: []string{"error row 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Build(existing(), tt.rows, tt.opts)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			var got []string
			for _, op := range p.Ops {
				got = append(got, describe(op))
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Build() ops =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

func TestBuildCompletesAnEmptyRecordKey(t *testing.T) {
	recs := []crm.Record{{ID: "w1", Version: 1, Fields: map[string]string{"name": "Weber KG", "postcode": "50667"}}}
	o := Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"name", "street", "postcode"}}
	p, err := Build(recs, []crm.Row{row(2, "name", "Weber KG", "street", "Domplatz 2", "postcode", "50667")}, o)
	if err != nil {
		t.Fatal(err)
	}
	want := `update row 2 w1 street:""->"Domplatz 2"`
	if got := describe(p.Ops[0]); got != want {
		t.Errorf("Build() = %s, want %s", got, want)
	}
}

func TestBuildErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		rows []crm.Row
		want []string // fragments of the reason
	}{
		{
			name: "ambiguous row names the candidates",
			opts: Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"name", "street"}},
			rows: []crm.Row{row(7, "name", "Müller GmbH")},
			want: []string{"matches 2 existing records", "c1 (name=\"Müller GmbH\", street=\"Hauptstr. 1\")", "c2 (name=\"Müller GmbH\", street=\"Bahnhofstr. 9\")"},
		},
		{
			name: "duplicate row names the first row",
			opts: Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no"}},
			rows: []crm.Row{row(2, "customer_no", "9"), row(5, "customer_no", "9")},
			want: []string{"row 2 has the same key (customer_no=\"9\")"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Build(existing(), tt.rows, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var reason string
			for _, op := range p.Ops {
				if op.Kind == OpError {
					reason = op.Errors[0].Reason
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(reason, w) {
					t.Errorf("error reason = %q, want it to contain %q", reason, w)
				}
			}
		})
	}
}

func TestBuildRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string // the error says it, in the words the configuration is checked with
	}{
		{"unknown mode", Options{Entity: "customer", Mode: "merge", KeyFields: []string{"id"}}, `unknown mode "merge"`},
		{"update without key", Options{Entity: "customer", Mode: crm.Update}, "mode update needs at least one key field"},
		{"nine key fields", Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}}, "not 9"},
		{"overwrite if greater on text", Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"id"}, Policies: map[string]crm.Policy{"name": crm.OverwriteIfGreater}},
			"the field name is text: overwrite_if_greater is only for date and number fields"},
		{"overwrite if greater by default", Options{Entity: "customer", Mode: crm.Add, DefaultPolicy: crm.OverwriteIfGreater}, `unknown default policy "overwrite_if_greater"`},
		{"unknown policy", Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"id"}, Policies: map[string]crm.Policy{"name": "merge"}}, `unknown policy "merge" for the field name`},
		{"no entity", Options{Mode: crm.Add}, "no entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(nil, nil, tt.opts)
			if err == nil {
				t.Fatalf("Build(%+v) error = nil, want an error", tt.opts)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build(%+v) error = %q, want it to say %q", tt.opts, err, tt.want)
			}
		})
	}
}

func TestPreviewCountsEveryOpAndSamplesChanges(t *testing.T) {
	o := Options{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}, SampleSize: 2}
	rows := []crm.Row{
		row(2, "customer_no", "1001", "phone", "+4930"),
		row(3, "customer_no", "1003"),
		row(4, "customer_no", "2000", "name", "Neu"),
		row(5, "customer_no", "2000", "name", "Neu"),
	}
	p, err := Build(existing(), rows, o)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Preview
	got := Preview{Rows: s.Rows, Creates: s.Creates, Updates: s.Updates, Unchanged: s.Unchanged, Deletes: s.Deletes, Skipped: s.Skipped, Errors: s.Errors, Matched: s.Matched}
	want := Preview{Rows: 4, Creates: 1, Updates: 1, Unchanged: 1, Deletes: 1, Errors: 1, Matched: 2}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Preview = %+v, want %+v", got, want)
	}
	if s.Total() != 5 {
		t.Errorf("Preview.Total() = %d, want 5", s.Total())
	}
	if len(s.Sample) != 2 || s.Sample[0].Kind != OpUpdate || s.Sample[1].Kind != OpCreate {
		t.Errorf("Preview.Sample = %v, want the update then the create", s.Sample)
	}
	if !reflect.DeepEqual(s.FieldChanges, map[string]int{"phone": 1}) {
		t.Errorf("Preview.FieldChanges = %v, want map[phone:1]", s.FieldChanges)
	}
}

func TestOpsAreOrderedByID(t *testing.T) {
	o := Options{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}}
	p, err := Build(existing(), []crm.Row{row(2, "customer_no", ""), row(3, "customer_no", "1003"), row(4, "customer_no", "5")}, o)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, op := range p.Ops {
		ids = append(ids, op.ID)
	}
	if ids[len(ids)-1] != "" || !slices.IsSorted(ids[:len(ids)-1]) {
		t.Errorf("op IDs = %q, want sorted with the ID-less error last", ids)
	}
}

func TestCreateIDsAreStable(t *testing.T) {
	o := Options{ImportID: "imp1", User: "u1", Entity: "customer", Mode: crm.Add}
	rows := []crm.Row{row(2, "name", "A")}
	a, _ := Build(nil, rows, o)
	b, _ := Build(nil, rows, o)
	o.ImportID = "imp2"
	c, _ := Build(nil, rows, o)
	if a.Ops[0].ID != b.Ops[0].ID {
		t.Errorf("create ID of the same import = %s and %s, want equal", a.Ops[0].ID, b.Ops[0].ID)
	}
	if a.Ops[0].ID == c.Ops[0].ID {
		t.Errorf("create ID of two imports = %s twice, want different", a.Ops[0].ID)
	}
}

// Two imports that meet creating the same key must write one record: the
// ID of a keyed create depends on the key alone, not on the import or row.
func TestKeyedCreateIDsDependOnTheKeyOnly(t *testing.T) {
	build := func(importID string, mode crm.Mode, rowNumber int, number, name string) string {
		t.Helper()
		o := Options{ImportID: importID, User: "u1", Entity: "customer", Mode: mode, KeyFields: []string{"customer_no"}}
		p, err := Build(nil, []crm.Row{row(rowNumber, "customer_no", number, "name", name)}, o)
		if err != nil || len(p.Ops) != 1 || p.Ops[0].Kind != OpCreate {
			t.Fatalf("Build() = %+v, %v, want one create", p, err)
		}
		return p.Ops[0].ID
	}
	first := build("imp1", crm.Update, 2, "1001", "Müller GmbH")
	tests := []struct {
		name string
		id   string
		same bool
	}{
		{"another import, row and mode, the same key", build("imp2", crm.Add, 9, "1001", "Mueller"), true},
		{"the key written differently but equal once normalised", build("imp3", crm.Update, 2, " 1001 ", "x"), true},
		{"another key", build("imp1", crm.Update, 2, "1002", "Müller GmbH"), false},
	}
	for _, tt := range tests {
		if got := tt.id == first; got != tt.same {
			t.Errorf("%s: ID %s vs %s, same = %v, want %v", tt.name, tt.id, first, got, tt.same)
		}
	}
}

func TestJSONLinesRoundTrip(t *testing.T) {
	o := Options{Entity: "customer", Mode: crm.UpdateDelete, KeyFields: []string{"customer_no"}}
	p, err := Build(existing(), []crm.Row{row(2, "customer_no", "1001", "phone", "+4930"), row(3, "customer_no", "")}, o)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteOps(&buf, p.Ops); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(p.Ops) {
		t.Errorf("WriteOps wrote %d lines, want %d", n, len(p.Ops))
	}
	r := NewReader(&buf)
	var back []Op
	for {
		op, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		back = append(back, op)
	}
	if !reflect.DeepEqual(back, p.Ops) {
		t.Errorf("read back %v, want %v", back, p.Ops)
	}
}

func TestGreater(t *testing.T) {
	tests := []struct {
		kind    Kind
		v, cur  string
		want    bool
		comment string
	}{
		{Number, "10", "9.5", true, "numbers compare by value, not as text"},
		{Number, "9.5", "10", false, "a smaller number never wins"},
		{Number, "10.0", "10", false, "an equal number is not greater"},
		{Number, "-1", "-2", true, "negative numbers"},
		{Date, "2026-06-01", "2026-05-31", true, "a later date wins"},
		{Date, "2025-12-31", "2026-01-01", false, "an older date never replaces a newer one"},
		{DateTime, "2026-01-01T10:00:00+02:00", "2026-01-01T09:00:00Z", false, "date-times compare as instants"},
		{DateTime, "2026-01-01T10:00:00Z", "2026-01-01T09:00:00Z", true, "a later instant wins"},
		{Date, "garbage", "2026-01-01", false, "an unparsable file value never wins"},
		{Date, "2026-01-01", "garbage", true, "a valid value beats an unparsable stored one"},
	}
	for _, tt := range tests {
		if got := greater(tt.kind, tt.v, tt.cur); got != tt.want {
			t.Errorf("greater(%s, %q, %q) = %v, want %v (%s)", tt.kind, tt.v, tt.cur, got, tt.want, tt.comment)
		}
	}
}
