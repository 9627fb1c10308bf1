package plan

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/match"
)

// maxNamedCandidates bounds how many records an ambiguous row's error names.
const maxNamedCandidates = 5

// Build plans one user's rows against that user's existing records of the
// entity. It fails only on a bad configuration; problems of single rows
// become error ops.
func Build(existing []crm.Record, rows []crm.Row, o Options) (*Plan, error) {
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	b, err := newBuilder(existing, o)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		b.addFileRow(r)
	}
	b.indexFile()
	ops := make([]Op, 0, len(rows))
	for i, r := range rows {
		ops = append(ops, b.row(i, r))
	}
	if o.Mode == crm.UpdateDelete {
		ops = append(ops, b.deletes()...)
	}
	if o.IDField != "" {
		for i := range ops {
			byID(&ops[i], o.IDField, o.IDColumn)
		}
	}
	sortOps(ops)
	return &Plan{Ops: ops, Preview: Summarize(len(rows), ops, o.SampleSize)}, nil
}

// withIDField gives each record its own id as the field field, so rows are
// matched on it as on any key.
func withIDField(existing []crm.Record, field string) []crm.Record {
	out := make([]crm.Record, len(existing))
	for i, r := range existing {
		r.Fields = maps.Clone(r.Fields)
		if r.Fields == nil {
			r.Fields = map[string]string{}
		}
		r.Fields[field] = r.ID
		out[i] = r
	}
	return out
}

// byID keeps the id field out of what is stored (the id is the record's
// key, not a field of it), and makes a row whose id is no record's an
// error: the record was deleted since the export, or is another user's;
// creating one under an id from a file would be a guess.
func byID(op *Op, field, column string) {
	id := op.Fields[field]
	delete(op.Fields, field)
	if op.Kind == OpCreate && id != "" {
		*op = Op{Kind: OpError, Row: op.Row, Key: op.Key, Errors: []crm.RowError{{Row: op.Row, Column: column, Field: field, Value: id,
			Reason: "is the id of none of your records (deleted since the export, or another user's), so the row updates nothing; import new records from a file without this column"}}}
	}
}

type builder struct {
	o         Options
	existing  []crm.Record
	key       *match.Key
	keyFields map[string]bool
	records   *match.Index // existing records
	fileRows  *match.Index // the file's rows, to find rows sharing a key
	// The file's rows' key values as written, their tuples (fileRows
	// indexes them) and row numbers, by row index: what an error names of
	// an earlier row with the same key, kept without the rows.
	fileKeys   [][]string
	fileTuples []match.Tuple
	numbers    []int
	claimedBy  map[int]int  // existing record -> row number that updates it
	protected  map[int]bool // existing records some row names: never deleted
}

// newBuilder indexes the existing records; the file's rows' keys follow,
// with addFileRow for each row and then indexFile, before row plans them
// one by one.
func newBuilder(existing []crm.Record, o Options) (*builder, error) {
	if o.IDField != "" {
		existing = withIDField(existing, o.IDField)
	}
	b := &builder{o: o, existing: existing, claimedBy: map[int]int{}, protected: map[int]bool{}}
	if len(o.KeyFields) > 0 {
		key, err := match.NewKey(o.KeyFields, o.Kinds)
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		b.key = &key
		b.keyFields = make(map[string]bool, len(o.KeyFields))
		for _, f := range o.KeyFields {
			b.keyFields[f] = true
		}
		fields := make([]map[string]string, len(existing))
		for i, r := range existing {
			fields[i] = r.Fields
		}
		b.records = match.NewIndex(key, fields)
	}
	return b, nil
}

// addFileRow keeps what the plan needs of the file's next row to find rows
// that share its key.
func (b *builder) addFileRow(r crm.Row) {
	if b.key == nil {
		return
	}
	b.fileKeys = append(b.fileKeys, b.keyValues(r))
	b.fileTuples = append(b.fileTuples, b.key.Of(r.Fields))
	b.numbers = append(b.numbers, r.Number)
}

// keyValues are r's key values as written, in the key's order.
func (b *builder) keyValues(r crm.Row) []string {
	vs := make([]string, len(b.o.KeyFields))
	for i, f := range b.o.KeyFields {
		vs[i] = r.Fields[f]
	}
	return vs
}

// indexFile indexes the file's rows added.
func (b *builder) indexFile() {
	if b.key != nil {
		b.fileRows = match.NewTupleIndex(*b.key, b.fileTuples)
	}
}

// fileRowKey describes the key of the file's row of index j.
func (b *builder) fileRowKey(j int) string {
	fields := make(map[string]string, len(b.o.KeyFields))
	for i, f := range b.o.KeyFields {
		fields[f] = b.fileKeys[j][i]
	}
	return b.key.Describe(fields)
}

// row plans r, the file's row of index i.
func (b *builder) row(i int, r crm.Row) Op {
	if b.key == nil {
		return b.invalidOr(r, func() Op { return b.create(r, "", nil) })
	}
	t := b.key.Of(r.Fields)
	desc := b.key.Describe(r.Fields)
	if t.Empty() {
		if b.o.Mode == crm.Add {
			return b.invalidOr(r, func() Op { return b.create(r, desc, nil) })
		}
		return errorOp(r, desc, crm.RowError{
			Column: strings.Join(b.o.KeyFields, ", "),
			Reason: "the key fields are all empty, so the row cannot be matched to a record",
		})
	}
	found := b.records.LookupTuple(t)
	for _, c := range found.Candidates {
		// Whatever becomes of the row, the records it names are not "absent
		// from the file" and must survive update with deletion.
		b.protected[c] = true
	}
	if len(r.Errors) > 0 {
		return Op{Kind: OpError, Row: r.Number, Key: desc, Errors: r.Errors}
	}
	for _, j := range b.fileRows.LookupTuple(t).Candidates {
		if j >= i {
			break
		}
		return errorOp(r, desc, crm.RowError{
			Column: strings.Join(b.o.KeyFields, ", "),
			Value:  keyValues(b.o.KeyFields, r.Fields),
			Reason: fmt.Sprintf("row %d has the same key (%s); only the first of them is imported", b.numbers[j], b.fileRowKey(j)),
		})
	}
	switch found.Outcome() {
	case match.Many:
		return errorOp(r, desc, crm.RowError{
			Column: strings.Join(b.o.KeyFields, ", "),
			Value:  keyValues(b.o.KeyFields, r.Fields),
			Reason: b.ambiguous(found.Candidates),
		})
	case match.None:
		if b.o.Mode == crm.UpdateOnly {
			return Op{Kind: OpSkip, Row: r.Number, Key: desc, Reason: "no existing record has this key; update only never creates records"}
		}
		return b.create(r, desc, t)
	}
	c := found.Candidates[0]
	rec := b.existing[c]
	if first, ok := b.claimedBy[c]; ok {
		return errorOp(r, desc, crm.RowError{
			Column: strings.Join(b.o.KeyFields, ", "),
			Value:  keyValues(b.o.KeyFields, r.Fields),
			Reason: fmt.Sprintf("matches record %s, which row %d already updates", rec.ID, first),
		})
	}
	b.claimedBy[c] = r.Number
	if b.o.Mode == crm.Add {
		return Op{Kind: OpSkip, Row: r.Number, ID: rec.ID, Version: rec.Version, Key: desc,
			Reason: fmt.Sprintf("record %s already has this key; add mode does not change existing records", rec.ID)}
	}
	fields, changes := merge(rec.Fields, r.Fields, b.keyFields, b.o)
	if len(changes) == 0 {
		return Op{Kind: OpUnchanged, Row: r.Number, ID: rec.ID, Version: rec.Version, Key: desc}
	}
	return Op{Kind: OpUpdate, Row: r.Number, ID: rec.ID, Version: rec.Version, Key: desc, Fields: fields, Changes: changes}
}

// invalidOr reports a row's validation errors, or plans it with next.
func (b *builder) invalidOr(r crm.Row, next func() Op) Op {
	if len(r.Errors) > 0 {
		return Op{Kind: OpError, Row: r.Number, Errors: r.Errors}
	}
	return next()
}

// create plans a new record. Its key t, when the row has one, gives the
// record's ID: two imports that meet creating the same key then write the
// same record, and the second finds it there (a conflict), never a twin.
func (b *builder) create(r crm.Row, desc string, t match.Tuple) Op {
	fields := make(map[string]string, len(r.Fields))
	for f, v := range r.Fields {
		if v = strings.TrimSpace(v); v != "" {
			fields[f] = v
		}
	}
	if errs := b.missing(r.Number, fields, desc); len(errs) > 0 {
		return Op{Kind: OpError, Row: r.Number, Key: desc, Errors: errs}
	}
	return Op{Kind: OpCreate, Row: r.Number, ID: b.o.newID(r, t), Key: desc, Fields: fields}
}

// missing names each required field a new record would lack. In the update
// modes the tenant may not expect the row to create anything (a file of
// keys and one field updates that field), so the reason says why it would.
func (b *builder) missing(row int, fields map[string]string, desc string) []crm.RowError {
	var errs []crm.RowError
	why := "a new record needs it"
	if b.o.Mode != crm.Add && desc != "" {
		why = "no existing record has this key, so the row would create a new record, which needs it"
	}
	for _, f := range b.o.Required {
		if fields[f.Field] != "" {
			continue
		}
		e := crm.RowError{Row: row, Column: f.Column, Field: f.Field}
		if f.Column != "" {
			e.Reason = "is empty, but " + why
		} else {
			title := cmp.Or(f.Title, f.Field)
			e.Reason = fmt.Sprintf("the file has no column for the required field %q, but %s", title, why)
		}
		errs = append(errs, e)
	}
	for _, group := range b.o.RequiredOneOf {
		if e, ok := noneOf(row, fields, group, why); !ok {
			errs = append(errs, e)
		}
	}
	return errs
}

// noneOf reports the row error of a new record that has none of a group's
// fields, naming the file's columns for them, and the fields' titles where
// the file has no column. why ends "needs it", as missing says it.
func noneOf(row int, fields map[string]string, group []Required, why string) (crm.RowError, bool) {
	var columns, absent, names []string
	for _, f := range group {
		if fields[f.Field] != "" {
			return crm.RowError{}, true
		}
		if f.Column != "" {
			columns = append(columns, f.Column)
		} else {
			absent = append(absent, fmt.Sprintf("%q", cmp.Or(f.Title, f.Field)))
		}
		names = append(names, f.Field)
	}
	why = strings.TrimSuffix(why, "it") + "one of them"
	e := crm.RowError{Row: row, Column: strings.Join(columns, ", "), Field: strings.Join(names, ", ")}
	switch {
	case len(absent) == 0:
		e.Reason = "are all empty, but " + why
	case len(columns) > 0:
		e.Reason = fmt.Sprintf("%s empty, and the file has no column for %s, but %s", map[bool]string{true: "is", false: "are"}[len(columns) == 1], strings.Join(absent, " or "), why)
	default:
		e.Reason = fmt.Sprintf("the file has no column for %s, but %s", strings.Join(absent, " or "), why)
	}
	return e, false
}

func (b *builder) ambiguous(candidates []int) string {
	names := make([]string, 0, maxNamedCandidates)
	for _, c := range candidates[:min(len(candidates), maxNamedCandidates)] {
		rec := b.existing[c]
		names = append(names, fmt.Sprintf("%s (%s)", rec.ID, b.key.Describe(rec.Fields)))
	}
	more := ""
	if n := len(candidates) - len(names); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("matches %d existing records, so it is not imported: %s%s; fill more key fields to tell them apart",
		len(candidates), strings.Join(names, ", "), more)
}

// deletes plans the deletion of the user's records of the entity that no
// row names.
func (b *builder) deletes() []Op {
	var ops []Op
	for i, rec := range b.existing {
		if b.protected[i] || (rec.Entity != "" && rec.Entity != b.o.Entity) {
			continue
		}
		ops = append(ops, Op{Kind: OpDelete, ID: rec.ID, Version: rec.Version,
			Key: b.key.Describe(rec.Fields), Reason: "not in the file (update with deletion)"})
	}
	return ops
}

func errorOp(r crm.Row, desc string, e crm.RowError) Op {
	return Op{Kind: OpError, Row: r.Number, Key: desc, Errors: []crm.RowError{e}}
}

func keyValues(fields []string, values map[string]string) string {
	vs := make([]string, len(fields))
	for i, f := range fields {
		vs[i] = values[f]
	}
	return strings.Join(vs, ", ")
}

// sortOps orders ops by record ID, ops without one last by row: apply reads
// the ops in this order and re-checks each run with one ranged Query.
func sortOps(ops []Op) {
	// Sorting indexes and permuting once moves each (large) op only once.
	idx := make([]int, len(ops))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &ops[i], &ops[j]
		switch {
		case a.ID == "" && b.ID == "":
			return cmp.Compare(a.Row, b.Row)
		case a.ID == "":
			return 1
		case b.ID == "":
			return -1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	sorted := make([]Op, len(ops))
	for k, i := range idx {
		sorted[k] = ops[i]
	}
	copy(ops, sorted)
}
