package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
)

func TestBuildRefusesToCreateARecordWithoutARequiredField(t *testing.T) {
	// The file has a column "Firma" for the name; phone is the
	// configuration's own required field, and the file has no column for it.
	name := Required{Field: "name", Column: "Firma", Title: "Name"}
	phone := Required{Field: "phone", Title: "Telefon"}
	byNumber := func(m crm.Mode, required ...Required) Options {
		return Options{Entity: "customer", Mode: m, KeyFields: []string{"customer_no"}, Kinds: kinds, Required: required}
	}
	const unmatched = "no existing record has this key, so the row would create a new record, which needs it"

	tests := []struct {
		name       string
		opts       Options
		rows       []crm.Row
		want       []string       // ops, as describe writes them
		wantErrors []crm.RowError // of the error ops, in row order
	}{
		{
			name: "add without key fields: a row without the name is an error",
			opts: Options{Entity: "customer", Mode: crm.Add, Required: []Required{name}},
			rows: []crm.Row{row(2, "name", "Neu KG"), row(3, "city", "Köln"), row(4, "name", "  ")},
			want: []string{"create row 2 {name=Neu KG}", "error row 3", "error row 4"},
			wantErrors: []crm.RowError{
				{Row: 3, Column: "Firma", Field: "name", Reason: "is empty, but a new record needs it"},
				{Row: 4, Column: "Firma", Field: "name", Reason: "is empty, but a new record needs it"},
			},
		},
		{
			name: "add with a key: an unmatched row without the name is an error, a matched one is skipped",
			opts: byNumber(crm.Add, name),
			rows: []crm.Row{row(2, "customer_no", "1001"), row(3, "customer_no", "2000")},
			want: []string{"skip row 2 c1", "error row 3"},
			wantErrors: []crm.RowError{
				{Row: 3, Column: "Firma", Field: "name", Reason: "is empty, but a new record needs it"},
			},
		},
		{
			name: "update: a matched row needs no name, an unmatched one does",
			opts: byNumber(crm.Update, name),
			rows: []crm.Row{row(2, "customer_no", "1001", "visit_interval", "14"), row(3, "customer_no", "2000", "visit_interval", "14"), row(4, "customer_no", "2001", "name", "Neu KG")},
			want: []string{`update row 2 c1 visit_interval:"30"->"14"`, "error row 3", "create row 4 {customer_no=2001 name=Neu KG}"},
			wantErrors: []crm.RowError{
				{Row: 3, Column: "Firma", Field: "name", Reason: "is empty, but " + unmatched},
			},
		},
		{
			name: "update: each missing field is named, the one without a column by its title",
			opts: byNumber(crm.Update, name, phone),
			rows: []crm.Row{row(3, "customer_no", "2000")},
			want: []string{"error row 3"},
			wantErrors: []crm.RowError{
				{Row: 3, Column: "Firma", Field: "name", Reason: "is empty, but " + unmatched},
				{Row: 3, Field: "phone", Reason: `the file has no column for the required field "Telefon", but ` + unmatched},
			},
		},
		{
			name: "update with deletion: an unmatched row without the name is an error, the absent records go",
			opts: byNumber(crm.UpdateDelete, name),
			rows: []crm.Row{row(2, "customer_no", "1001"), row(3, "customer_no", "2000")},
			want: []string{"unchanged row 2 c1", "error row 3", "delete c2", "delete c3"},
			wantErrors: []crm.RowError{
				{Row: 3, Column: "Firma", Field: "name", Reason: "is empty, but " + unmatched},
			},
		},
		{
			name: "update only: an unmatched row creates nothing, so it is skipped, not in error",
			opts: byNumber(crm.UpdateOnly, name),
			rows: []crm.Row{row(2, "customer_no", "1003", "phone", "+4922133"), row(3, "customer_no", "2000")},
			want: []string{`update row 2 c3 phone:""->"+4922133"`, "skip row 3"},
		},
		{
			name: "a field without a title is named by its field name",
			opts: byNumber(crm.Update, Required{Field: "group"}),
			rows: []crm.Row{row(3, "customer_no", "2000", "name", "Neu KG")},
			want: []string{"error row 3"},
			wantErrors: []crm.RowError{
				{Row: 3, Field: "group", Reason: `the file has no column for the required field "group", but ` + unmatched},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Build(existing(), tt.rows, tt.opts)
			if err != nil {
				t.Fatalf("Build() error = %v", err)
			}
			var got []string
			var gotErrors []crm.RowError
			for _, op := range p.Ops {
				got = append(got, describe(op))
				if op.Kind == OpError {
					gotErrors = append(gotErrors, op.Errors...)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("Build() ops =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			slices.SortStableFunc(gotErrors, func(a, b crm.RowError) int { return a.Row - b.Row })
			if !slices.Equal(gotErrors, tt.wantErrors) {
				t.Errorf("Build() row errors =\n  %+v\nwant\n  %+v", gotErrors, tt.wantErrors)
			}
			if n := countKind(p.Ops, OpError); p.Preview.Errors != n || p.Preview.Creates != countKind(p.Ops, OpCreate) {
				t.Errorf("Preview = %d creates, %d errors, want %d, %d", p.Preview.Creates, p.Preview.Errors, countKind(p.Ops, OpCreate), n)
			}
		})
	}
}

func TestBuildErrorOfAMissingRequiredFieldReadsAsARowError(t *testing.T) {
	o := Options{Entity: "customer", Mode: crm.Update, KeyFields: []string{"customer_no"},
		Required: []Required{{Field: "name", Column: "Firma", Title: "Name"}}}
	p, err := Build(existing(), []crm.Row{row(7, "customer_no", "2000")}, o)
	if err != nil {
		t.Fatal(err)
	}
	want := `row 7, column "Firma": is empty, but no existing record has this key, so the row would create a new record, which needs it`
	if len(p.Ops) != 1 || len(p.Ops[0].Errors) != 1 || p.Ops[0].Errors[0].Error() != want {
		t.Fatalf("Build() ops = %+v, want one error op saying %q", p.Ops, want)
	}
	if p.Ops[0].ID != "" || p.Ops[0].Key != `customer_no="2000"` {
		t.Errorf("Build() error op ID, key = %q, %q, want no ID and the row's key", p.Ops[0].ID, p.Ops[0].Key)
	}
}

func countKind(ops []Op, k OpKind) int {
	n := 0
	for _, op := range ops {
		if op.Kind == k {
			n++
		}
	}
	return n
}

func TestBuildNeedsOneFieldOfARequiredGroup(t *testing.T) {
	// processoagil: "Celular e/ou Telefone para contato" - a new customer
	// needs a mobile or a phone number, either will do.
	mobile := Required{Field: "mobile", Column: "Celular", Title: "Celular"}
	phone := Required{Field: "phone", Column: "Telefone", Title: "Telefone"}
	phoneAbsent := Required{Field: "phone", Title: "Telefone"}
	mobileAbsent := Required{Field: "mobile", Title: "Celular"}
	tests := []struct {
		name  string
		group []Required
		row   crm.Row
		want  []crm.RowError
	}{
		{"a mobile alone is enough", []Required{mobile, phone}, row(2, "name", "Ana", "mobile", "+5511999"), nil},
		{"a phone alone is enough", []Required{mobile, phone}, row(2, "name", "Ana", "phone", "+551133"), nil},
		{"both empty: both columns named", []Required{mobile, phone}, row(2, "name", "Ana"),
			[]crm.RowError{{Row: 2, Column: "Celular, Telefone", Field: "mobile, phone", Reason: "are all empty, but a new record needs one of them"}}},
		{"one column in the file, empty: the other named by its title", []Required{mobile, phoneAbsent}, row(2, "name", "Ana"),
			[]crm.RowError{{Row: 2, Column: "Celular", Field: "mobile, phone", Reason: `is empty, and the file has no column for "Telefone", but a new record needs one of them`}}},
		{"no column for either", []Required{mobileAbsent, phoneAbsent}, row(2, "name", "Ana"),
			[]crm.RowError{{Row: 2, Field: "mobile, phone", Reason: `the file has no column for "Celular" or "Telefone", but a new record needs one of them`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Entity: "customer", Mode: crm.Add, RequiredOneOf: [][]Required{tt.group}}
			p, err := Build(existing(), []crm.Row{tt.row}, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []crm.RowError
			for _, op := range p.Ops {
				got = append(got, op.Errors...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Build() row errors = %+v, want %+v", got, tt.want)
			}
		})
	}
}
