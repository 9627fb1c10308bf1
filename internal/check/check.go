// Package check reads a tenant's file, maps its columns to an entity's
// fields and validates every value. The pipeline's validate step and the
// CLI's dry run (crmimport check) both run exactly this code.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
	"github.com/crmimport/crm-import/internal/value"
)

// Limits that keep a report small whatever the file holds.
const (
	DefaultMaxErrors = 1000   // row errors kept in Report.Errors
	MaxAssignees     = 10_000 // distinct assignment values counted one by one
)

// Options say how to check a file.
type Options struct {
	// Entity to import; may be empty when Config names it. An alias such
	// as "accounts" is accepted.
	Entity string
	// Config is the import configuration; nil means config.Default(Entity).
	Config *config.Config
	// Sheet options; Encoding, Delimiter and Sheet set here win over the
	// configuration's.
	Sheet sheet.Options
	// MaxErrors bounds Report.Errors; 0 means DefaultMaxErrors.
	MaxErrors int
}

// Record is one data row, validated.
type Record struct {
	Row      int               `json:"row"`                // the row number the tenant sees (header = 1)
	Fields   map[string]string `json:"fields"`             // field -> canonical value; mapped, non-empty cells only
	Assignee string            `json:"assignee,omitempty"` // trimmed assignment cell; "" when no assignment column is configured
	Errors   []RowError        `json:"errors,omitempty"`   // non-empty: the row must not be applied
}

// RowError is a value, or a row, the tenant must fix.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"` // the column's title as in the file; empty for the whole row
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"` // as in the file, cut to MaxShownValue characters
	Reason string `json:"reason"`
}

// MaxShownValue is how much of a bad value an error repeats.
const MaxShownValue = 100

func (e RowError) Error() string {
	switch {
	case e.Column == "":
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	case e.Value == "":
		return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Reason)
	default:
		return fmt.Sprintf("row %d, column %q: %q %s", e.Row, e.Column, e.Value, e.Reason)
	}
}

// Report sums up a checked file.
type Report struct {
	Entity         string           `json:"entity"`
	Locale         string           `json:"locale"`
	File           File             `json:"file"`
	Rows           int              `json:"rows"`             // data rows read (blank rows are skipped)
	RowsWithErrors int              `json:"rows_with_errors"` // rows that must not be applied
	Mapping        []mapping.Column `json:"mapping"`
	Unmapped       []string         `json:"unmapped"`
	// Missing lists required fields no column maps to. Mode add refuses
	// such a file; the update modes accept it (a file with the key and one
	// field updates that field), so rows that would create a record need
	// those fields checked when the plan is made.
	Missing []string `json:"missing,omitempty"`
	// Warnings are things the tenant should know that do not stop the
	// import, such as configured columns the file does not have.
	Warnings   []string   `json:"warnings,omitempty"`
	Errors     []RowError `json:"errors"`      // the first MaxErrors row errors
	ErrorCount int        `json:"error_count"` // all row errors
	// Assignees counts the rows per value of the assignment column (the
	// empty value included), when the configuration names one. Past
	// MaxAssignees distinct values, further new values count in
	// OtherAssignees.
	AssignmentColumn string         `json:"assignment_column,omitempty"`
	Assignees        map[string]int `json:"assignees,omitempty"`
	OtherAssignees   int            `json:"other_assignees,omitempty"`
}

// File is what the reader detected about the file (sheet.Info, with JSON
// names like the rest of the report).
type File struct {
	Format    string   `json:"format"`              // csv, xlsx, ods
	Encoding  string   `json:"encoding,omitempty"`  // CSV only
	Delimiter string   `json:"delimiter,omitempty"` // CSV only
	Sheet     string   `json:"sheet,omitempty"`     // workbooks: the sheet read
	Sheets    []string `json:"sheets,omitempty"`    // workbooks: every sheet
}

func fileOf(i sheet.Info) File {
	return File{Format: i.Format, Encoding: i.Encoding, Delimiter: i.Delimiter, Sheet: i.Sheet, Sheets: i.Sheets}
}

// RefusedError says the file as a whole cannot be imported. Reason is
// written for the tenant.
type RefusedError struct {
	Reason string
	Err    error // the underlying error, if any
}

func (e *RefusedError) Error() string { return e.Reason }
func (e *RefusedError) Unwrap() error { return e.Err }

func refused(err error, format string, args ...any) *RefusedError {
	return &RefusedError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// Run checks the file at path and calls each with every data row, in
// order, valid or not; it holds one row at a time. An error from each stops
// the run and is returned as it is. A file that cannot be imported at all
// is a *RefusedError; a bad configuration is a *config.Error.
func Run(ctx context.Context, path string, opts Options, each func(Record) error) (*Report, error) {
	cfg, err := configOf(opts)
	if err != nil {
		return nil, err
	}
	so := opts.Sheet
	if so.Encoding == "" {
		so.Encoding = cfg.Encoding
	}
	if so.Delimiter == "" {
		so.Delimiter = cfg.Delimiter
	}
	if so.Sheet == "" {
		so.Sheet = cfg.Sheet
	}
	r, err := sheet.Open(path, so)
	if err != nil {
		var se *sheet.Error
		if errors.As(err, &se) {
			return nil, refused(err, "%s", se.Error())
		}
		return nil, refused(err, "the file cannot be read: %v", err)
	}
	defer r.Close()
	opts.Config = cfg
	return RunReader(ctx, r, opts, each)
}

func configOf(opts Options) (*config.Config, error) {
	if opts.Config == nil {
		if opts.Entity == "" {
			return nil, errors.New("check: no entity and no configuration given")
		}
		return config.Default(opts.Entity)
	}
	if opts.Entity != "" {
		e, err := schema.Lookup(opts.Entity)
		if err != nil {
			return nil, err
		}
		if e.Name != opts.Config.Entity {
			return nil, fmt.Errorf("the configuration is for %s, not %s", opts.Config.Entity, e.Name)
		}
	}
	return opts.Config, nil
}

// RunReader is Run over an open reader. The reader must hand out a fresh
// Row from every Next (the sheet readers do): rows are validated in batches
// on all CPUs while the next ones are read, and handed to each in order.
func RunReader(ctx context.Context, r sheet.Reader, opts Options, each func(Record) error) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg, err := configOf(opts)
	if err != nil {
		return nil, err
	}
	c, err := newChecker(cfg, r.Header(), opts.MaxErrors)
	if err != nil {
		return nil, err
	}
	c.report.File = fileOf(r.Info())

	ctx, cancel := context.WithCancel(ctx)
	p := c.start(ctx, r)
	// stop ends the pipeline; the reader is not touched after it returns.
	stop := func() { cancel(); p.wait() }
	defer stop()

	for b := range p.inOrder {
		select {
		case <-b.done:
		case <-ctx.Done():
			stop()
			return nil, ctx.Err()
		}
		for _, it := range b.items {
			rec := it.rec
			if it.err != nil {
				var se *sheet.Error
				if !errors.As(it.err, &se) {
					return nil, fmt.Errorf("read row: %w", it.err)
				}
				if !se.RowOnly {
					return nil, refused(it.err, "%s", se.Error())
				}
				rec = Record{Row: se.Row, Fields: map[string]string{}, Errors: []RowError{{Row: se.Row, Reason: se.Reason}}}
			}
			c.count(rec)
			if err := each(rec); err != nil {
				return c.report, err
			}
		}
	}
	if err := ctx.Err(); err != nil { // the reading stopped early because ctx ended
		return nil, err
	}
	return c.report, nil
}

// batchSize rows are read, validated and handed over together, so that
// the goroutines synchronise once per batch rather than once per row.
const batchSize = 256

type item struct {
	row sheet.Row
	err error // from the reader; row is unset
	rec Record
}

type batch struct {
	items []item
	done  chan struct{} // closed once every item is validated
}

// pipeline reads batches in one goroutine and validates them in others.
// Batches reach inOrder in file order; at most about three per worker are
// in memory at once.
type pipeline struct {
	inOrder <-chan *batch
	wg      sync.WaitGroup
}

func (p *pipeline) wait() { p.wg.Wait() }

func (c *checker) start(ctx context.Context, r sheet.Reader) *pipeline {
	workers := runtime.GOMAXPROCS(0)
	todo := make(chan *batch, workers)
	inOrder := make(chan *batch, 2*workers)
	p := &pipeline{inOrder: inOrder}

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(todo)
		defer close(inOrder)
		for {
			b := &batch{done: make(chan struct{})}
			last := false
			for len(b.items) < batchSize && !last {
				row, err := r.Next()
				if err == io.EOF {
					last = true
					break
				}
				b.items = append(b.items, item{row: row, err: err})
				var se *sheet.Error
				last = err != nil && !(errors.As(err, &se) && se.RowOnly)
			}
			if len(b.items) > 0 {
				select {
				case inOrder <- b:
				case <-ctx.Done():
					return
				}
				select {
				case todo <- b:
				case <-ctx.Done():
					return
				}
			}
			if last {
				return
			}
		}
	}()

	for w := 0; w < workers; w++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for b := range todo {
				for i := range b.items {
					if b.items[i].err == nil {
						b.items[i].rec = c.record(b.items[i].row)
					}
				}
				close(b.done)
			}
		}()
	}
	return p
}

// checker holds what is worked out once per file. record may run on
// several goroutines at once; count runs on one.
type checker struct {
	cfg       *config.Config
	entity    *schema.Entity
	parser    value.Parser
	header    []string
	fields    []*schema.Field // by column index; nil for unmapped columns
	keys      []int           // column indexes of the key fields (update modes)
	required  []int           // column indexes of required fields (add mode)
	assignCol int             // -1 when none
	maxErrors int
	report    *Report
}

func newChecker(cfg *config.Config, header []string, maxErrors int) (*checker, error) {
	e, err := schema.Lookup(cfg.Entity)
	if err != nil {
		return nil, err
	}
	parser, err := cfg.Parser()
	if err != nil {
		return nil, err
	}
	if maxErrors <= 0 {
		maxErrors = DefaultMaxErrors
	}
	if !hasTitle(header) {
		return nil, refused(nil, "the first row has no column titles; it must name the columns, for example %q", e.Fields[0].Title(schema.EN))
	}
	m, err := mapping.Map(e, header, cfg.Mapping)
	if err != nil {
		var dup *mapping.DuplicateError
		if errors.As(err, &dup) {
			return nil, refused(err, "%s", dup.Error())
		}
		return nil, err
	}
	c := &checker{cfg: cfg, entity: e, parser: parser, header: header, assignCol: -1, maxErrors: maxErrors,
		fields: make([]*schema.Field, len(header))}
	c.report = &Report{Entity: e.Name, Locale: parser.Locale.Tag, Mapping: m.Columns, Unmapped: m.Unmapped,
		Missing: m.Missing, Errors: []RowError{}}
	if c.report.Unmapped == nil {
		c.report.Unmapped = []string{}
	}
	for _, title := range m.Unused {
		c.report.Warnings = append(c.report.Warnings,
			fmt.Sprintf("the configuration maps a column %q, which the file does not have", title))
	}
	for i, col := range m.Columns {
		if col.Field == "" {
			continue
		}
		f, _ := e.Field(col.Field)
		c.fields[i] = &f
		if f.Required && cfg.Mode == config.Add {
			c.required = append(c.required, i)
		}
	}

	if cfg.Mode == config.Add && len(m.Missing) > 0 {
		return nil, refused(nil, "%s", missingReason(e, m.Missing))
	}
	if cfg.Mode != config.Add {
		var absent []string
		for _, k := range cfg.KeyFields {
			col, ok := m.Column(k)
			if !ok {
				absent = append(absent, k)
				continue
			}
			c.keys = append(c.keys, col.Index)
		}
		if len(absent) > 0 {
			return nil, refused(nil, "the key field%s %s %s no column in the file, so existing records cannot be found; add the column or choose other key fields",
				plural(absent), strings.Join(absent, ", "), has(absent))
		}
	}
	if title := cfg.AssignmentColumn(); title != "" {
		c.assignCol = findColumn(header, title)
		if c.assignCol < 0 {
			return nil, refused(nil, "the assignment column %q is not in the file; its columns are %s", title, quoteAll(header))
		}
		c.report.AssignmentColumn = header[c.assignCol]
		c.report.Assignees = map[string]int{}
	}
	return c, nil
}

// record validates one row.
func (c *checker) record(row sheet.Row) Record {
	rec := Record{Row: row.Number, Fields: make(map[string]string, len(c.fields))}
	bad := map[int]bool{}
	for i, f := range c.fields {
		if f == nil || i >= len(row.Cells) {
			continue
		}
		cell := row.Cells[i]
		v, err := c.parser.Cell(*f, cell)
		if err != nil {
			bad[i] = true
			rec.Errors = append(rec.Errors, RowError{Row: row.Number, Column: c.header[i], Field: f.Name, Value: shown(cell.Text), Reason: err.Error()})
			continue
		}
		if v != "" {
			rec.Fields[f.Name] = v
		}
	}
	for _, i := range c.required {
		name := c.fields[i].Name
		if _, ok := rec.Fields[name]; !ok && !bad[i] {
			rec.Errors = append(rec.Errors, RowError{Row: row.Number, Column: c.header[i], Field: name,
				Reason: "is empty, but a new record needs it"})
		}
	}
	if len(c.keys) > 0 {
		empty := true
		for _, i := range c.keys {
			if _, ok := rec.Fields[c.fields[i].Name]; ok || bad[i] {
				empty = false
			}
		}
		if empty {
			titles := make([]string, len(c.keys))
			for n, i := range c.keys {
				titles[n] = c.header[i]
			}
			rec.Errors = append(rec.Errors, RowError{Row: row.Number,
				Reason: fmt.Sprintf("has no value in the key column%s %s, so the record to update cannot be found", plural(titles), quoteAll(titles))})
		}
	}
	if c.assignCol >= 0 && c.assignCol < len(row.Cells) {
		rec.Assignee = strings.TrimSpace(row.Cells[c.assignCol].Text)
	}
	return rec
}

func (c *checker) count(rec Record) {
	r := c.report
	r.Rows++
	if len(rec.Errors) > 0 {
		r.RowsWithErrors++
	}
	for _, e := range rec.Errors {
		r.ErrorCount++
		if len(r.Errors) < c.maxErrors {
			r.Errors = append(r.Errors, e)
		}
	}
	if r.Assignees != nil {
		if _, ok := r.Assignees[rec.Assignee]; ok || len(r.Assignees) < MaxAssignees {
			r.Assignees[rec.Assignee]++
		} else {
			r.OtherAssignees++
		}
	}
}

func missingReason(e *schema.Entity, missing []string) string {
	var parts []string
	for _, name := range missing {
		f, _ := e.Field(name)
		parts = append(parts, fmt.Sprintf("%s (a column titled for example %q)", name, f.Title(schema.EN)))
	}
	return fmt.Sprintf("no column holds the required field%s %s; new %s cannot be created without %s: add the column, or map an existing column to it",
		plural(missing), strings.Join(parts, ", "), e.Name, it(missing))
}

func hasTitle(header []string) bool {
	for _, h := range header {
		if strings.TrimSpace(h) != "" {
			return true
		}
	}
	return false
}

// findColumn finds title among header, exactly or as the mapping compares
// titles.
func findColumn(header []string, title string) int {
	for i, h := range header {
		if h == title {
			return i
		}
	}
	key := schema.Fold(title)
	for i, h := range header {
		if key != "" && schema.Fold(h) == key {
			return i
		}
	}
	return -1
}

func shown(s string) string {
	if utf8.RuneCountInString(s) <= MaxShownValue {
		return s
	}
	r := []rune(s)
	return string(r[:MaxShownValue]) + "…"
}

func quoteAll(titles []string) string {
	q := make([]string, len(titles))
	for i, t := range titles {
		q[i] = fmt.Sprintf("%q", t)
	}
	return strings.Join(q, ", ")
}

func plural(list []string) string {
	if len(list) > 1 {
		return "s"
	}
	return ""
}

func has(list []string) string {
	if len(list) > 1 {
		return "have"
	}
	return "has"
}

func it(list []string) string {
	if len(list) > 1 {
		return "them"
	}
	return "it"
}
