package template

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/xuri/excelize/v2"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
	"github.com/crmimport/crm-import/internal/value"
)

func writeTemplate(t *testing.T, e *schema.Entity, lang schema.Lang) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), e.Name+"-"+string(lang)+".xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(out, e, Options{Lang: lang}); err != nil {
		t.Fatalf("Write(%s, %s): %v", e.Name, lang, err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTemplateReadBack(t *testing.T) {
	e := &schema.Customers
	f, err := excelize.OpenFile(writeTemplate(t, e, schema.EN))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Customers" {
		t.Fatalf("sheets = %q, want [Customers]", got)
	}
	rows, err := f.GetRows("Customers")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want a title row and one example row", len(rows))
	}
	comments, err := f.GetComments("Customers")
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, c := range comments {
		notes[c.Cell] = c.Text
	}
	for i, field := range Fields(e) {
		col, _ := excelize.ColumnNumberToName(i + 1)
		title := rows[0][i]
		if want := Title(field, schema.EN); title != want {
			t.Errorf("title of %s = %q, want %q", col, title, want)
		}
		if strings.HasSuffix(title, RequiredMark) != field.Required {
			t.Errorf("title %q: required mark does not match Required=%v", title, field.Required)
		}
		styleID, err := f.GetCellStyle("Customers", col+"1")
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(styleID)
		if err != nil {
			t.Fatal(err)
		}
		wantFill := optionalFill
		if field.Required {
			wantFill = requiredFill
		}
		if style.Font == nil || !style.Font.Bold || len(style.Fill.Color) == 0 || !strings.EqualFold(style.Fill.Color[0], wantFill) {
			t.Errorf("title %q style = font %+v fill %+v, want bold on %s", title, style.Font, style.Fill, wantFill)
		}
		if note := notes[col+"1"]; !strings.Contains(note, "Field: "+field.Name) || strings.HasPrefix(note, "Required") != field.Required {
			t.Errorf("note on %q = %q", title, note)
		}
	}
	// The postcode example keeps its leading zeros: a text cell.
	postcode := -1
	for i, field := range Fields(e) {
		if field.Name == "postcode" {
			postcode = i
		}
	}
	if got := rows[1][postcode]; got != "00184" {
		t.Errorf("postcode example = %q, want 00184", got)
	}
}

// Every template, in every language, maps back to every field of its
// entity without help, and its example row is valid.
func TestTemplateRoundTrip(t *testing.T) {
	parser := value.Parser{Locale: mustLocale(t, "en-US")}
	for _, e := range schema.All() {
		for _, lang := range schema.Langs {
			if lang == schema.Zoho {
				continue // Zoho titles exist for some fields only; English fills the gaps
			}
			t.Run(e.Name+"/"+string(lang), func(t *testing.T) {
				var recs []crm.Row
				rep, err := check.Run(context.Background(), writeTemplate(t, e, lang), check.Options{Entity: e.Name},
					func(r crm.Row) error { recs = append(recs, r); return nil })
				if err != nil {
					t.Fatalf("check.Run: %v", err)
				}
				if len(rep.Unmapped) != 0 || len(rep.Missing) != 0 {
					t.Errorf("unmapped %q, missing %q, want none", rep.Unmapped, rep.Missing)
				}
				for i, c := range rep.Mapping {
					if c.How != mapping.ByTitle || c.Field != Fields(e)[i].Name {
						t.Errorf("column %q maps to %q (%s), want %s", c.Title, c.Field, c.How, Fields(e)[i].Name)
					}
				}
				if len(recs) != 1 || len(recs[0].Errors) != 0 {
					t.Fatalf("records = %+v, want one valid example row", recs)
				}
				for _, field := range Fields(e) {
					want, err := parser.Cell(field, sheet.Cell{Kind: sheet.Text, Text: field.Example})
					if err != nil {
						t.Fatalf("example of %s: %v", field.Name, err)
					}
					if got := recs[0].Fields[field.Name]; got != want {
						t.Errorf("example %s = %q, want %q", field.Name, got, want)
					}
				}
			})
		}
	}
}

func mustLocale(t *testing.T, tag string) value.Locale {
	l, err := value.ParseLocale(tag)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestTemplateMarksTheTenantsRequiredFields(t *testing.T) {
	f, err := Build(&schema.Customers, Options{Lang: schema.PT, Required: []string{"national_id", "email"}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Customers")
	if err != nil {
		t.Fatal(err)
	}
	var required []string
	for _, title := range rows[0] {
		if strings.HasSuffix(title, RequiredMark) {
			required = append(required, title)
		}
	}
	if want := []string{"Nome/Razão Social *", "E-mail *", "CPF/CNPJ *"}; strings.Join(required, "|") != strings.Join(want, "|") {
		t.Errorf("required titles = %q, want %q", required, want)
	}
}
