package check

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
	"github.com/crmimport/crm-import/internal/value"
)

// Within one column a file writes every number with the same decimal
// separator and every d/m/y date in the same order: it was typed by one
// team in one spreadsheet program. Read cell by cell, 1.234 in a column
// whose other rows say 2.500,75 would become 1.234 beside 2500.75, a
// thousandfold error nobody sees. So before any row is validated, the
// first rows (a bounded look-ahead, kept in memory and then handed on) are
// read for cells that prove a convention, and each number and date column
// is read with the convention most of them prove. Columns without such a
// cell follow the locale or, when none is configured and the CSV is
// separated by ";", a decimal comma and the day first. A later cell that
// proves the other convention is a row error.
const (
	lookAheadRows  = 1000
	lookAheadBytes = 8 << 20 // of cell text: 1,000 rows of huge cells stay a few MiB
	// Cells, at 56 bytes each even when empty: 1,000 rows as wide as a
	// 16,384-column header would take 0.9 GB; this keeps 16 of them, and
	// 1,000 rows of up to 262 columns.
	lookAheadCells = 1 << 18
)

// convention is how one number or date column is read. It is fixed before
// the rows are validated, so record may run on several goroutines.
type convention struct {
	decimal byte            // number columns: '.' or ','
	order   value.DateOrder // date columns: DMY or MDY, for dates whose year comes last
	// why says where the convention comes from, to complete "but ...":
	// "other rows of this column use a decimal comma, such as 2.500,75 in
	// row 3" or "this column is read with a decimal point, as the locale
	// en-US writes numbers".
	why string
	// unwarned: the convention is a guess (no locale configured, no cell
	// of the look-ahead proved one) and no warning said so yet, so the
	// first cell past the look-ahead that reads either way gets one.
	unwarned bool
}

// votes counts, per column, what the look-ahead's cells prove.
type votes struct {
	decimal map[byte]*vote
	order   map[value.DateOrder]*vote
	// The first cell that reads either way, for a warning when only the
	// locale decides.
	example    string
	exampleRow int
}

type vote struct {
	count int
	row   int    // the first row that proved it
	value string // its cell
}

func noVotes(columns int) []votes {
	v := make([]votes, columns)
	for i := range v {
		v[i] = votes{decimal: map[byte]*vote{}, order: map[value.DateOrder]*vote{}}
	}
	return v
}

func tally[K comparable](m map[K]*vote, k K, row int, text string) {
	if m[k] == nil {
		m[k] = &vote{row: row, value: text}
	}
	m[k].count++
}

// winner returns the key most cells prove, the first proven on a tie.
func winner[K comparable](m map[K]*vote) (K, *vote) {
	var best K
	var bv *vote
	for k, v := range m {
		if bv == nil || v.count > bv.count || (v.count == bv.count && v.row < bv.row) {
			best, bv = k, v
		}
	}
	return best, bv
}

// hint is the convention of columns whose cells prove none.
type hint struct {
	decimal byte
	order   value.DateOrder
	why     string // "as the locale de-DE writes %s", %s being numbers or dates; see whyFor
	guessed bool   // the locale is not configured: warn where it decides
	locale  string // "the locale de-DE" or "the default locale en-US"
}

// whyFor completes h.why for numbers or dates.
func (h hint) whyFor(what string) string {
	if strings.Contains(h.why, "%s") {
		return fmt.Sprintf(h.why, what)
	}
	return h.why
}

func (c *checker) hint(named bool, delimiter string) hint {
	l := c.parser.Locale
	order := value.DMY
	if l.Order == value.MDY {
		order = value.MDY
	}
	switch {
	case named:
		name := "the locale " + l.Tag
		return hint{decimal: l.Decimal, order: order, why: "as " + name + " writes %s", locale: name}
	case delimiter == ";":
		// Excel writes ";" where "," is the decimal separator (Germany,
		// France, Italy, Spain, Portugal, Brazil, Poland, Sweden...), and
		// those countries write dates day first.
		return hint{decimal: ',', order: value.DMY, guessed: true, locale: "the default locale " + l.Tag,
			why: `as the file's ";" separator suggests (spreadsheet programs write ";" in countries that write a decimal comma and the day first)`}
	}
	name := "the default locale " + l.Tag
	return hint{decimal: l.Decimal, order: order, guessed: true, locale: name, why: "as " + name + " writes %s"}
}

// learn reads up to lookAheadRows rows of r, settles the convention of
// every number and date column, and returns a reader that hands out the
// rows read and then the rest of r.
func (c *checker) learn(r sheet.Reader, named bool) sheet.Reader {
	v := noVotes(len(c.fields))
	rp := &replay{Reader: r}
	size, cells := 0, 0
	for len(rp.items) < lookAheadRows && size < lookAheadBytes && cells < lookAheadCells {
		row, err := r.Next()
		if err == io.EOF {
			rp.eof = true
			break
		}
		rp.items = append(rp.items, item{row: row, err: err})
		cells += len(row.Cells)
		if err != nil {
			var se *sheet.Error
			if errors.As(err, &se) && se.RowOnly {
				continue
			}
			break
		}
		for i, cell := range row.Cells {
			size += len(cell.Text)
			if i < len(c.fields) && c.fields[i] != nil && cell.Kind == sheet.Text {
				c.observe(&v[i], c.fields[i].Type, row.Number, strings.TrimSpace(cell.Text))
			}
		}
	}
	c.report.LocaleConfigured = named
	c.settle(v, c.hint(named, c.report.File.Delimiter))
	return rp
}

func (c *checker) observe(v *votes, t schema.Type, row int, text string) {
	if text == "" {
		return
	}
	switch t {
	case schema.Number:
		_, dec, err := c.parser.Locale.ReadNumber(text)
		switch {
		case err != nil:
		case dec != 0:
			tally(v.decimal, dec, row, text)
		case v.example == "" && strings.ContainsAny(text, ".,") && !strings.ContainsAny(text, "eE"):
			v.example, v.exampleRow = text, row
		}
	case schema.Date, schema.DateTime:
		if order, _, ok := value.DateOrderOf(text); ok && readsAs(order, text) != "" {
			tally(v.order, order, row, text)
		} else if v.example == "" && readsEitherWay(text) {
			v.example, v.exampleRow = text, row
		}
	}
}

// readsEitherWay says whether a date reads as two different days day first
// and month first (03/04/2026).
func readsEitherWay(text string) bool {
	dm, err1 := value.Locale{Order: value.DMY, DateSep: '/'}.DateTime(text, nil)
	md, err2 := value.Locale{Order: value.MDY, DateSep: '/'}.DateTime(text, nil)
	return err1 == nil && err2 == nil && dm != md
}

// settle fixes each column's convention and parser, and tells the tenant
// where the file or a guess decided rather than the configured locale.
func (c *checker) settle(v []votes, h hint) {
	c.conv = make([]convention, len(c.fields))
	c.parsers = make([]value.Parser, len(c.fields))
	for i, f := range c.fields {
		c.parsers[i] = c.parser
		if f == nil {
			continue
		}
		title := c.header[i]
		var conv convention
		switch f.Type {
		case schema.Number:
			if dec, w := winner(v[i].decimal); w != nil {
				conv = convention{decimal: dec, why: fmt.Sprintf("other rows of this column use a decimal %s, such as %s in row %d", separatorName(dec), w.value, w.row)}
				if dec != c.parser.Locale.Decimal {
					c.warn("column %q writes numbers with a decimal %s (%s in row %d), unlike %s: its values are read so",
						title, separatorName(dec), w.value, w.row, h.locale)
				}
			} else {
				conv = convention{decimal: h.decimal, why: fmt.Sprintf("this column is read with a decimal %s, %s", separatorName(h.decimal), h.whyFor("numbers")),
					unwarned: h.guessed && v[i].example == ""}
				if h.guessed && v[i].example != "" {
					c.warn("the locale is not configured, and no value of column %q shows its decimal separator: values such as %s (row %d) are read with a decimal %s, %s; set the locale if that is wrong",
						title, v[i].example, v[i].exampleRow, separatorName(h.decimal), h.whyFor("numbers"))
				}
			}
			c.parsers[i].Locale.Decimal = conv.decimal
		case schema.Date, schema.DateTime:
			if order, w := winner(v[i].order); w != nil {
				conv = convention{order: order, why: fmt.Sprintf("other rows of this column write the %s first, such as %s in row %d", firstName(order), w.value, w.row)}
				if order != c.parser.Locale.Order && !(order == value.DMY && c.parser.Locale.Order == value.YMD) {
					c.warn("column %q writes dates %s first (%s in row %d), unlike %s: its values are read so",
						title, firstName(order), w.value, w.row, h.locale)
				}
			} else {
				conv = convention{order: h.order, why: fmt.Sprintf("this column is read %s first, %s", firstName(h.order), h.whyFor("dates")),
					unwarned: h.guessed && v[i].example == ""}
				if h.guessed && v[i].example != "" {
					c.warn("the locale is not configured, and no value of column %q shows whether its dates give the day or the month first: values such as %s (row %d) are read %s first, %s; set the locale if that is wrong",
						title, v[i].example, v[i].exampleRow, firstName(h.order), h.whyFor("dates"))
				}
			}
			l := &c.parsers[i].Locale
			switch {
			case conv.order == value.MDY && l.Order != value.MDY:
				l.Order, l.DateSep = value.MDY, '/'
			case conv.order == value.DMY && l.Order == value.MDY:
				l.Order = value.DMY
			}
		default:
			continue
		}
		c.conv[i] = conv
	}
}

func (c *checker) warn(format string, args ...any) {
	c.report.Warnings = append(c.report.Warnings, fmt.Sprintf(format, args...))
}

// numberContradicts returns why a number of column i, read as v with the
// decimal separator dec its text proves, breaks the column's convention,
// or "" when it does not.
func (c *checker) numberContradicts(i int, v string, dec byte) string {
	conv := c.conv[i]
	if dec == 0 || dec == conv.decimal {
		return ""
	}
	return fmt.Sprintf("reads as %s with a decimal %s, but %s: correct the value, or set the file's locale", v, separatorName(dec), conv.why)
}

// dateContradicts returns why a date of column i breaks the column's
// order of day and month, or "" when it does not.
func (c *checker) dateContradicts(i int, text string) string {
	conv := c.conv[i]
	order, dotted, ok := value.DateOrderOf(text)
	if !ok || dotted || order == conv.order {
		return ""
	}
	day := readsAs(order, text)
	if day == "" { // not a date either way: the parser says why
		return ""
	}
	return fmt.Sprintf("reads as %s with the %s first, but %s: correct the value, or set the file's locale", day, firstName(order), conv.why)
}

// readsAs returns the day text reads as in order, like "25 April 2026",
// or "" when it is no date in that order.
func readsAs(order value.DateOrder, text string) string {
	s, err := value.Locale{Order: order, DateSep: '/'}.DateTime(text, nil)
	if err != nil {
		return ""
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	return t.Format("2 January 2006")
}

func separatorName(dec byte) string {
	if dec == ',' {
		return "comma"
	}
	return "point"
}

func firstName(o value.DateOrder) string {
	if o == value.MDY {
		return "month"
	}
	return "day"
}

// replay hands out the rows learn read ahead, then the rest of Reader.
type replay struct {
	sheet.Reader
	items []item
	next  int
	eof   bool
}

func (r *replay) Next() (sheet.Row, error) {
	if r.next < len(r.items) {
		it := r.items[r.next]
		r.items[r.next] = item{} // let the row go once handed out
		r.next++
		return it.row, it.err
	}
	if r.eof {
		return sheet.Row{}, io.EOF
	}
	return r.Reader.Next()
}

// guess is a cell past the look-ahead that reads either way, in a column
// whose convention is a guess nobody was warned about.
type guess struct {
	column      int
	text, value string
}

// guessed returns the guess to report for cell text of column i read as v,
// or nil.
func (c *checker) guessed(i int, f schema.Type, text, v string) *guess {
	if !c.conv[i].unwarned {
		return nil
	}
	switch f {
	case schema.Number:
		if !strings.ContainsAny(text, ".,") || strings.ContainsAny(text, "eE") {
			return nil
		}
	case schema.Date, schema.DateTime:
		if !readsEitherWay(text) {
			return nil
		}
		v = readsAs(c.conv[i].order, text)
	}
	return &guess{column: i, text: text, value: v}
}

// warnGuess warns once per column about a guessed convention.
func (c *checker) warnGuess(row int, g guess) {
	if c.warnedGuess[g.column] {
		return
	}
	if c.warnedGuess == nil {
		c.warnedGuess = map[int]bool{}
	}
	c.warnedGuess[g.column] = true
	c.warn("the locale is not configured, and no value in the first rows of column %q showed how it is written: values such as %s (row %d) are read as %s, because %s; set the locale if that is wrong",
		c.header[g.column], shown(g.text), row, g.value, c.conv[g.column].why)
}
