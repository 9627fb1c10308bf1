// Package template writes the spreadsheet a tenant downloads to fill in
// (processoagil): one column per field in schema order, required columns
// marked, a note on each title saying what the column takes, one example row.
package template

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/schema"
)

// RequiredMark follows the title of a required column. The mapping ignores
// punctuation, so a filled-in template maps back without help.
const RequiredMark = " *"

// Colours of the title row: required columns stand out.
const (
	requiredFill = "F4B183"
	optionalFill = "D9E1F2"
)

// Title is the column title of f in the template.
func Title(f schema.Field, lang schema.Lang) string {
	if f.Required {
		return f.Title(lang) + RequiredMark
	}
	return f.Title(lang)
}

// Options say how a template is made.
type Options struct {
	Lang schema.Lang // language of the titles; empty means English
	// Required marks more fields as required, those a tenant's import
	// configuration requires beyond the entity's own.
	Required []string
}

// Write writes the template of e as XLSX to w.
func Write(w io.Writer, e *schema.Entity, opts Options) error {
	f, err := Build(e, opts)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write %s template: %w", e.Name, err)
	}
	return nil
}

// Fields are the columns of e's template: every field but the record's own
// id, which new records do not have yet.
func Fields(e *schema.Entity) []schema.Field {
	return slices.DeleteFunc(slices.Clone(e.Fields), func(f schema.Field) bool { return f.Name == schema.RecordID })
}

// Build makes the template workbook of e.
func Build(e *schema.Entity, opts Options) (*excelize.File, error) {
	lang := opts.Lang
	if lang == "" {
		lang = schema.EN
	}
	f := excelize.NewFile()
	sheet := sheetName(e)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("template %s: %w", e.Name, err)
	}
	st, err := newStyles(f)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", e.Name, err)
	}
	for i, field := range Fields(e) {
		for _, r := range opts.Required {
			if r == field.Name {
				field.Required = true
			}
		}
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return nil, err
		}
		if err := column(f, sheet, col, field, lang, st); err != nil {
			return nil, fmt.Errorf("template %s, field %s: %w", e.Name, field.Name, err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("template %s: %w", e.Name, err)
	}
	return f, nil
}

type styles struct {
	required, optional   int // title cells
	text, date, datetime int // example cells and their columns
	number               int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	title := func(fill string) (int, error) {
		return f.NewStyle(&excelize.Style{
			Font:   &excelize.Font{Bold: true},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
		})
	}
	custom := func(code string) (int, error) {
		return f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	}
	var err error
	if s.required, err = title(requiredFill); err != nil {
		return s, err
	}
	if s.optional, err = title(optionalFill); err != nil {
		return s, err
	}
	// Text format ("@") keeps what the tenant types, such as the leading
	// zeros of postcodes, phone numbers and customer numbers.
	if s.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return s, err
	}
	if s.date, err = custom("yyyy-mm-dd"); err != nil {
		return s, err
	}
	if s.datetime, err = custom("yyyy-mm-dd hh:mm"); err != nil {
		return s, err
	}
	s.number, err = f.NewStyle(&excelize.Style{NumFmt: 0})
	return s, err
}

func column(f *excelize.File, sheet, col string, field schema.Field, lang schema.Lang, st styles) error {
	cellStyle := st.text
	switch field.Type {
	case schema.Date:
		cellStyle = st.date
	case schema.DateTime:
		cellStyle = st.datetime
	case schema.Number:
		cellStyle = st.number
	}
	if err := f.SetColStyle(sheet, col, cellStyle); err != nil {
		return err
	}
	width := float64(len([]rune(Title(field, lang)))) + 4
	if width < 14 {
		width = 14
	}
	if err := f.SetColWidth(sheet, col, col, width); err != nil {
		return err
	}

	titleStyle := st.optional
	if field.Required {
		titleStyle = st.required
	}
	if err := f.SetCellStr(sheet, col+"1", Title(field, lang)); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, col+"1", col+"1", titleStyle); err != nil {
		return err
	}
	if err := f.AddComment(sheet, excelize.Comment{Cell: col + "1", Author: "crm-import", Text: Note(field)}); err != nil {
		return err
	}

	example, err := exampleValue(field)
	if err != nil {
		return err
	}
	if err := f.SetCellValue(sheet, col+"2", example); err != nil {
		return err
	}
	return f.SetCellStyle(sheet, col+"2", col+"2", cellStyle)
}

// Note says what a column takes, shown when the tenant points at its title.
func Note(f schema.Field) string {
	var b strings.Builder
	if f.Required {
		b.WriteString("Required: a new record cannot be created without it. ")
	}
	switch f.Type {
	case schema.Date:
		b.WriteString("A date, such as 2026-12-31 or 31.12.2026.")
	case schema.DateTime:
		b.WriteString("A date and time, such as 2026-12-31 14:30.")
	case schema.Number:
		b.WriteString("A number, such as 1234.56.")
	case schema.Email:
		b.WriteString("One e-mail address, such as name@example.com.")
	case schema.Phone:
		b.WriteString("A phone number; with its country code (+49...) if it is abroad.")
	case schema.NationalID:
		b.WriteString("A Brazilian CPF (11 digits) or CNPJ (14 characters), with or without punctuation.")
	case schema.Enum:
		names := make([]string, len(f.Values))
		for i, v := range f.Values {
			names[i] = v.Name
		}
		b.WriteString("One of: " + strings.Join(names, ", ") + ".")
	case schema.Reference:
		fmt.Fprintf(&b, "The name of a record of %s.", f.Ref)
	default:
		b.WriteString("Text.")
	}
	fmt.Fprintf(&b, " Field: %s.", f.Name)
	return b.String()
}

// exampleValue gives the example as the cell type the column holds, so a
// date is a date cell and a number a number cell.
func exampleValue(f schema.Field) (any, error) {
	switch f.Type {
	case schema.Date:
		t, err := time.Parse(time.DateOnly, f.Example)
		if err != nil {
			return nil, fmt.Errorf("example %q: %w", f.Example, err)
		}
		return t, nil
	case schema.DateTime:
		t, err := time.Parse(time.RFC3339, f.Example)
		if err != nil {
			return nil, fmt.Errorf("example %q: %w", f.Example, err)
		}
		// Cells hold wall-clock times: write the example's clock as is.
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC), nil
	case schema.Number:
		var n float64
		if _, err := fmt.Sscan(f.Example, &n); err != nil {
			return nil, fmt.Errorf("example %q: %w", f.Example, err)
		}
		return n, nil
	}
	return f.Example, nil
}

func sheetName(e *schema.Entity) string {
	name := strings.ReplaceAll(e.Name, "_", " ")
	return strings.ToUpper(name[:1]) + name[1:]
}
