package check

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
	"github.com/crmimport/crm-import/internal/value"
)

// checker holds what is worked out once per file. record may run on
// several goroutines at once; count runs on one.
type checker struct {
	cfg       *config.Config
	entity    *schema.Entity
	parser    value.Parser
	header    []string
	fields    []*schema.Field // by column index; nil for unmapped columns
	mapped    int             // columns with a field
	keys      []int           // column indexes of the key fields (update modes)
	required  []int           // column indexes of required fields (add mode)
	assignCol int             // -1 when none
	conv      []convention    // by column index: how number and date columns are read (see learn)
	parsers   []value.Parser  // by column index: parser with the column's convention
	// warnedGuess: columns whose guessed convention count has warned about.
	warnedGuess map[int]bool
	maxErrors   int
	report      *Report

	// ifNew are the column indexes of required fields in the modes where a
	// row matching no record creates one (update, update_delete): which
	// rows create is known only when the plan is made, so empty cells there
	// are counted for a warning (see finish), not made row errors.
	ifNew []int
	// emptyIfNew counts, by column index, the rows with an empty ifNew
	// cell; firstEmptyIfNew is the first such row.
	emptyIfNew, firstEmptyIfNew map[int]int
}

func newChecker(cfg *config.Config, header []string, maxErrors int) (*checker, error) {
	e, err := cfg.Schema()
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
		example := e.Fields[0]
		for _, f := range e.Fields {
			if f.Required {
				example = f
				break
			}
		}
		return nil, crm.Errorf(crm.Invalid, "the first row has no column titles; it must name the columns, for example %q", example.Title(schema.EN))
	}
	m, err := mapping.Map(e, header, cfg.Mapping)
	if err != nil {
		return nil, err // crm.Invalid: two columns for one field refuse the file
	}
	c := &checker{cfg: cfg, entity: e, parser: parser, header: header, assignCol: -1, maxErrors: maxErrors,
		fields: make([]*schema.Field, len(header))}
	missing := m.Missing
	for _, name := range cfg.Required { // the tenant's own required fields
		if _, ok := m.Column(name); !ok && !contains(missing, name) {
			missing = append(missing, name)
		}
	}
	c.report = &Report{Entity: e.Name, Locale: parser.Locale.Tag, Mapping: m.Columns, Unmapped: m.Unmapped,
		Missing: missing, Errors: []crm.RowError{}}
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
		c.mapped++
		if f.Required || contains(cfg.Required, f.Name) {
			switch {
			case cfg.Mode == crm.Add:
				c.required = append(c.required, i)
			case createsUnmatched(cfg.Mode):
				c.ifNew = append(c.ifNew, i)
			}
		}
	}
	if createsUnmatched(cfg.Mode) && len(missing) > 0 {
		c.warn("%s: a row that matches no existing record would create one without %s, so such rows will be reported as errors, not imported; add the column if the file holds new %s",
			missingFields(e, missing), it(missing), e.Name)
	}

	if cfg.Mode == crm.Add && len(missing) > 0 {
		return nil, crm.Errorf(crm.Invalid, "%s", missingReason(e, missing))
	}
	if err := c.noColumnOfGroup(m, cfg, e); err != nil {
		return nil, err
	}
	if cfg.Mode != crm.Add {
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
			return nil, crm.Errorf(crm.Invalid, "the key field%s %s %s no column in the file, so existing records cannot be found; add the column or choose other key fields",
				plural(absent), strings.Join(absent, ", "), has(absent))
		}
	}
	if title := cfg.AssignmentColumn(); title != "" {
		c.assignCol = findColumn(header, title)
		if c.assignCol < 0 {
			return nil, crm.Errorf(crm.Invalid, "the assignment column %q is not in the file; its columns are %s", title, sheet.QuoteNames(header))
		}
		c.report.AssignmentColumn = header[c.assignCol]
		c.report.Assignees = map[string]int{}
	}
	c.settle(noVotes(len(header)), c.hint(true, "")) // the locale's conventions until learn reads the file
	return c, nil
}

// record is a validated row and the cells of it read by a guessed
// convention, for a warning.
type record struct {
	crm.Row
	guesses []guess
	// emptyIfNew are the columns of checker.ifNew the row has no value in.
	emptyIfNew []int
}

// record validates one row.
func (c *checker) record(row sheet.Row) record {
	rec := record{Row: crm.Row{Number: row.Number, Fields: make(map[string]string, c.mapped)}}
	var bad map[int]bool // columns whose value is in error; allocated on the first
	for i, f := range c.fields {
		if f == nil || i >= len(row.Cells) {
			continue
		}
		cell := row.Cells[i]
		v, err := c.cell(i, *f, cell)
		if err != nil {
			if bad == nil {
				bad = map[int]bool{}
			}
			bad[i] = true
			rec.Errors = append(rec.Errors, crm.RowError{Row: row.Number, Column: c.header[i], Field: f.Name, Value: shown(cell.Text), Reason: err.Error()})
			continue
		}
		if v != "" {
			rec.Fields[f.Name] = v
			if cell.Kind == sheet.Text {
				if g := c.guessed(i, f.Type, strings.TrimSpace(cell.Text), v); g != nil {
					rec.guesses = append(rec.guesses, *g)
				}
			}
		}
	}
	for _, i := range c.required {
		name := c.fields[i].Name
		if _, ok := rec.Fields[name]; !ok && !bad[i] {
			rec.Errors = append(rec.Errors, crm.RowError{Row: row.Number, Column: c.header[i], Field: name,
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
			rec.Errors = append(rec.Errors, crm.RowError{Row: row.Number,
				Reason: fmt.Sprintf("has no value in the key column%s %s, so the record to update cannot be found", plural(titles), sheet.QuoteNames(titles))})
		}
	}
	for _, i := range c.ifNew {
		if _, ok := rec.Fields[c.fields[i].Name]; !ok && !bad[i] {
			rec.emptyIfNew = append(rec.emptyIfNew, i)
		}
	}
	if c.assignCol >= 0 && c.assignCol < len(row.Cells) {
		rec.Assignee = strings.TrimSpace(row.Cells[c.assignCol].Text)
	}
	return rec
}

// cell reads one cell with its column's convention: a text number or date
// that can only be read with the other convention is an error, not a value
// read differently from its neighbours.
func (c *checker) cell(i int, f schema.Field, cell sheet.Cell) (string, error) {
	p := c.parsers[i]
	if cell.Kind != sheet.Text {
		return p.Cell(f, cell)
	}
	text := strings.TrimSpace(cell.Text)
	switch {
	case text == "":
	case f.Type == schema.Number:
		v, dec, err := p.Locale.ReadNumber(text)
		if err != nil {
			return "", err
		}
		if why := c.numberContradicts(i, v, dec); why != "" {
			return "", errors.New(why)
		}
		return v, nil
	case f.Type == schema.Date || f.Type == schema.DateTime:
		if why := c.dateContradicts(i, text); why != "" {
			return "", errors.New(why)
		}
	}
	return p.Cell(f, cell)
}

func (c *checker) count(rec record) {
	r := c.report
	r.Rows++
	for _, g := range rec.guesses {
		c.warnGuess(rec.Number, g)
	}
	if len(rec.Errors) > 0 {
		r.RowsWithErrors++
	}
	for _, i := range rec.emptyIfNew {
		if len(rec.Errors) > 0 {
			break // a row in error creates nothing
		}
		if c.emptyIfNew == nil {
			c.emptyIfNew, c.firstEmptyIfNew = map[int]int{}, map[int]int{}
		}
		if c.emptyIfNew[i] == 0 {
			c.firstEmptyIfNew[i] = rec.Number
		}
		c.emptyIfNew[i]++
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

// finish adds what is known only once every row is counted: in the modes
// where unmatched rows create records, how many rows lack a required value.
func (c *checker) finish() {
	for _, i := range c.ifNew {
		n := c.emptyIfNew[i]
		if n == 0 {
			continue
		}
		rows := fmt.Sprintf("%d rows have", n)
		if n == 1 {
			rows = "1 row has"
		}
		c.warn("%s no value in the required column %q (the first is row %d): those that match no existing record cannot create one without it, so they will be reported as errors, not imported",
			rows, c.header[i], c.firstEmptyIfNew[i])
	}
}

// createsUnmatched reports whether, in mode m, a row whose key matches no
// existing record creates one. Which rows match is known only when the
// plan is made.
func createsUnmatched(m crm.Mode) bool { return m == crm.Update || m == crm.UpdateDelete }

func missingReason(e *schema.Entity, missing []string) string {
	return fmt.Sprintf("%s; new %s cannot be created without %s: add the column, or map an existing column to it",
		missingFields(e, missing), e.Name, it(missing))
}

// missingFields says that no column holds the required fields missing.
func missingFields(e *schema.Entity, missing []string) string {
	var parts []string
	for _, name := range missing {
		f, _ := e.Field(name)
		parts = append(parts, fmt.Sprintf("%s (a column titled for example %q)", name, f.Title(schema.EN)))
	}
	return fmt.Sprintf("no column holds the required field%s %s", plural(missing), strings.Join(parts, ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
	if utf8.RuneCountInString(s) <= crm.MaxShownValue {
		return s
	}
	r := []rune(s)
	return string(r[:crm.MaxShownValue]) + "…"
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
