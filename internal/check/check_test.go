package check

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/schema"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/sheet"
)

func parseConfig(t *testing.T, js string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(js))
	if err != nil {
		t.Fatalf("config.Parse(%s): %v", js, err)
	}
	return c
}

func collect(t *testing.T, r sheet.Reader, opts Options) (*Report, []crm.Row, error) {
	t.Helper()
	var recs []crm.Row
	rep, err := RunReader(context.Background(), r, opts, func(rec crm.Row) error {
		recs = append(recs, rec)
		return nil
	})
	return rep, recs, err
}

func TestRunReaderValidatesEveryRow(t *testing.T) {
	r := texts([]string{"Kundennummer", "Name", "PLZ", "Letzter Besuch", "Umsatz", "E-Mail", "Bemerkung intern"},
		[]string{"0042", "Müller GmbH", "01067", "31.12.2026", "1.234,56", "info@mueller.example", "x"},
		[]string{"0043", "Schäfer", "80331", "31.13.2026", "viel", "schaefer(at)example.de", ""},
		[]string{"0044", "", "20095", "", "", "", ""},
	)
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "locale": "de-DE"}`)
	rep, recs, err := collect(t, r, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := []crm.Row{
		{Number: 2, Fields: map[string]string{"customer_number": "0042", "name": "Müller GmbH", "postcode": "01067",
			"last_visit": "2026-12-31", "revenue": "1234.56", "email": "info@mueller.example"}},
		{Number: 3, Fields: map[string]string{"customer_number": "0043", "name": "Schäfer", "postcode": "80331"}, Errors: []crm.RowError{
			{Row: 3, Column: "Letzter Besuch", Field: "last_visit", Value: "31.13.2026", Reason: "is not a date: there is no month 13 (expected a day like 31.12.2026)"},
			{Row: 3, Column: "Umsatz", Field: "revenue", Value: "viel", Reason: "is not a number: expected something like 1.234,56"},
			{Row: 3, Column: "E-Mail", Field: "email", Value: "schaefer(at)example.de", Reason: "is not an e-mail address: expected one like name@example.com"},
		}},
		{Number: 4, Fields: map[string]string{"customer_number": "0044", "postcode": "20095"}, Errors: []crm.RowError{
			{Row: 4, Column: "Name", Field: "name", Reason: "is empty, but a new record needs it"},
		}},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records =\n%+v\nwant\n%+v", recs, want)
	}
	if rep.Rows != 3 || rep.RowsWithErrors != 2 || rep.ErrorCount != 4 || len(rep.Errors) != 4 {
		t.Errorf("report rows %d, with errors %d, error count %d (%d kept), want 3, 2, 4 (4)", rep.Rows, rep.RowsWithErrors, rep.ErrorCount, len(rep.Errors))
	}
	if want := []string{"Bemerkung intern"}; !reflect.DeepEqual(rep.Unmapped, want) {
		t.Errorf("Unmapped = %q, want %q", rep.Unmapped, want)
	}
	if rep.Locale != "de-DE" || rep.Entity != "customers" {
		t.Errorf("report locale, entity = %s, %s, want de-DE, customers", rep.Locale, rep.Entity)
	}
}

func TestRowErrorSpeaksTheTenantsWords(t *testing.T) {
	tests := []struct {
		err  crm.RowError
		want string
	}{
		{crm.RowError{Row: 7, Column: "Letzter Besuch", Field: "last_visit", Value: "31.13.2026", Reason: "is not a date: expected a day like 31.12.2026"},
			`row 7, column "Letzter Besuch": "31.13.2026" is not a date: expected a day like 31.12.2026`},
		{crm.RowError{Row: 8, Column: "Name", Field: "name", Reason: "is empty, but a new record needs it"},
			`row 8, column "Name": is empty, but a new record needs it`},
		{crm.RowError{Row: 9, Reason: "has 9 values but the header has 7 columns"},
			`row 9: has 9 values but the header has 7 columns`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("RowError.Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestRunReaderRefusesFiles(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		config string
		want   string
	}{
		{"two columns for one field", []string{"Name", "E-Mail", "Email"}, `{"version": 1, "entity": "customers"}`,
			`column B "E-Mail" and column C "Email" all map to the field "email"`},
		{"required column missing in add mode", []string{"PLZ", "Ort"}, `{"version": 1, "entity": "customers"}`,
			`no column holds the required field name (a column titled for example "Name")`},
		{"key column missing", []string{"Name", "Ort"}, `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`,
			"the key field customer_number has no column in the file"},
		{"assignment column missing", []string{"Name", "Ort"}, `{"version": 1, "entity": "customers", "assignment": {"column": "Vertreter", "by": "email"}}`,
			`the assignment column "Vertreter" is not in the file; its columns are "Name", "Ort"`},
		{"no titles", []string{"", " "}, `{"version": 1, "entity": "customers"}`,
			"the first row has no column titles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := collect(t, texts(tt.header, []string{"x"}), Options{Config: parseConfig(t, tt.config)})
			if crm.KindOf(err) != crm.Invalid {
				t.Fatalf("RunReader error = %v, want a refusal (%s)", err, crm.Invalid)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunReader error = %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestUpdateModesNeedAKeyValueButNotRequiredFields(t *testing.T) {
	r := texts([]string{"Kundennummer", "Externe ID", "Letzter Besuch"},
		[]string{"1001", "", "01.02.2026"},
		[]string{"", "X-7", "01.02.2026"},
		[]string{"", "", "01.02.2026"},
	)
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number", "external_id"], "locale": "de-DE"}`)
	rep, recs, err := collect(t, r, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"name"}; !reflect.DeepEqual(rep.Missing, want) {
		t.Errorf("Missing = %q, want %q", rep.Missing, want)
	}
	for i, wantErrs := range []int{0, 0, 1} {
		if got := len(recs[i].Errors); got != wantErrs {
			t.Errorf("row %d: %d errors (%v), want %d", recs[i].Number, got, recs[i].Errors, wantErrs)
		}
	}
	if got, want := recs[2].Errors[0].Error(), `row 4: has no value in the key columns "Kundennummer", "Externe ID", so the record to update cannot be found`; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestAssigneesAreCounted(t *testing.T) {
	r := texts([]string{"Name", "Vertreter-Mail"},
		[]string{"A", " anna@example.com "},
		[]string{"B", "anna@example.com"},
		[]string{"C", "bo@example.com"},
		[]string{"D", ""},
	)
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "assignment": {"column": "vertreter mail", "by": "email"}}`)
	rep, recs, err := collect(t, r, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"anna@example.com": 2, "bo@example.com": 1, "": 1}
	if !reflect.DeepEqual(rep.Assignees, want) || rep.AssignmentColumn != "Vertreter-Mail" {
		t.Errorf("Assignees = %v (column %q), want %v (column Vertreter-Mail)", rep.Assignees, rep.AssignmentColumn, want)
	}
	if recs[0].Assignee != "anna@example.com" {
		t.Errorf("Assignee = %q, want it trimmed", recs[0].Assignee)
	}
}

func TestRowOnlyReaderErrorsBecomeRowErrors(t *testing.T) {
	r := texts([]string{"Name"}, []string{"A"}, []string{"B"}, []string{"C"})
	r.errs[1] = &sheet.Error{Row: 3, Reason: `a quoted value is not closed properly`, RowOnly: true}
	rep, recs, err := collect(t, r, Options{Entity: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1].Number != 3 || len(recs[1].Errors) != 1 || recs[1].Errors[0].Reason != "a quoted value is not closed properly" {
		t.Errorf("records = %+v, want row 3 to carry the reader's error", recs)
	}
	if rep.RowsWithErrors != 1 || rep.Rows != 3 {
		t.Errorf("Rows, RowsWithErrors = %d, %d, want 3, 1", rep.Rows, rep.RowsWithErrors)
	}

	r = texts([]string{"Name"}, []string{"A"}, []string{"B"})
	r.errs[1] = &sheet.Error{Reason: "the workbook unpacks to more than 1 GiB"}
	_, _, err = collect(t, r, Options{Entity: "customers"})
	if crm.KindOf(err) != crm.Invalid || crm.Message(err) != "the workbook unpacks to more than 1 GiB" {
		t.Errorf("error = %v, want the reader's refusal", err)
	}
}

func TestErrorsAreCapped(t *testing.T) {
	var rows [][]string
	for i := 0; i < 30; i++ {
		rows = append(rows, []string{"", "kein Datum"})
	}
	rep, _, err := collect(t, texts([]string{"Name", "Letzter Besuch"}, rows...), Options{Entity: "customers", MaxErrors: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 10 || rep.ErrorCount != 60 || rep.RowsWithErrors != 30 {
		t.Errorf("errors kept %d, counted %d, rows %d, want 10, 60, 30", len(rep.Errors), rep.ErrorCount, rep.RowsWithErrors)
	}
}

func TestEachStopsTheRun(t *testing.T) {
	stop := fmt.Errorf("over the limit")
	n := 0
	_, err := RunReader(context.Background(), texts([]string{"Name"}, []string{"A"}, []string{"B"}, []string{"C"}),
		Options{Entity: "customers"}, func(crm.Row) error {
			n++
			if n == 2 {
				return stop
			}
			return nil
		})
	if err != stop || n != 2 {
		t.Errorf("RunReader = %v after %d rows, want %v after 2", err, n, stop)
	}
}

func TestRunReaderStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := RunReader(ctx, texts([]string{"Name"}, []string{"A"}), Options{Entity: "customers"}, func(crm.Row) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("RunReader(cancelled) = %v, want context.Canceled", err)
	}
}

func TestEntityMustMatchTheConfiguration(t *testing.T) {
	cfg := parseConfig(t, `{"version": 1, "entity": "deals"}`)
	if _, _, err := collect(t, texts([]string{"Name"}, []string{"A"}), Options{Entity: "customers", Config: cfg}); err == nil {
		t.Errorf("RunReader(customers with a deals configuration) = nil error")
	}
	if _, _, err := collect(t, texts([]string{"Deal Name"}, []string{"A"}), Options{Entity: "opportunities", Config: cfg}); err != nil {
		t.Errorf("RunReader(opportunities with a deals configuration) = %v, want the alias accepted", err)
	}
}

// Configuration finds what is wrong with the configuration before a file
// is read, so that a caller can tell it from a refused file.
func TestConfigurationIsResolvedBeforeAnyFile(t *testing.T) {
	deals := parseConfig(t, `{"version": 1, "entity": "deals"}`)
	tests := []struct {
		name       string
		opts       Options
		wantEntity string
		wantLocale string
		wantErr    string // "" for none
	}{
		{"the entity's default", Options{Entity: "accounts"}, "companies", config.DefaultLocale, ""},
		{"the locale chosen wins", Options{Entity: "customers", Locale: "de-DE"}, "customers", "de-DE", ""},
		{"an alias of the configuration's entity", Options{Entity: "opportunities", Config: deals}, "deals", config.DefaultLocale, ""},
		{"an unknown entity", Options{Entity: "invoices"}, "", "", `unknown entity "invoices"`},
		{"another entity than the configuration's", Options{Entity: "customers", Config: deals}, "", "", "the configuration is for deals, not customers"},
		{"an unknown locale", Options{Config: deals, Locale: "xx-YY"}, "", "", `locale "xx-YY"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.opts.Configuration()
			if tt.wantErr != "" {
				if crm.KindOf(err) != crm.Invalid || !strings.Contains(crm.Message(err), tt.wantErr) {
					t.Errorf("Configuration(%+v) = %v, want an %s error saying %q", tt.opts, err, crm.Invalid, tt.wantErr)
				}
				return
			}
			if err != nil || cfg.Entity != tt.wantEntity || cfg.Locale != tt.wantLocale {
				t.Errorf("Configuration(%+v) = %+v, %v, want %s in %s", tt.opts, cfg, err, tt.wantEntity, tt.wantLocale)
			}
		})
	}
	if deals.Locale != config.DefaultLocale {
		t.Errorf("Configuration changed the caller's configuration: locale %s", deals.Locale)
	}
}

func TestConfiguredColumnsTheFileLacksAreWarnedAbout(t *testing.T) {
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "mapping": {"Bezeichnung": "name", "Kd-Nummer": "customer_number"}}`)
	rep, _, err := collect(t, texts([]string{"Bezeichnung"}, []string{"A"}), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`the configuration maps a column "Kd-Nummer", which the file does not have`}
	if !reflect.DeepEqual(rep.Warnings, want) {
		t.Errorf("Warnings = %q, want %q", rep.Warnings, want)
	}
}

// Rows are validated in batches on several goroutines; each must still see
// them in file order, with their own values.
func TestRecordsArriveInFileOrder(t *testing.T) {
	const n = 10*batchSize + 7
	var rows [][]string
	for i := 0; i < n; i++ {
		rows = append(rows, []string{fmt.Sprintf("Kunde %d", i), fmt.Sprintf("030 %06d", 900000+i)})
	}
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "locale": "de-DE"}`)
	rep, recs, err := collect(t, texts([]string{"Name", "Telefon"}, rows...), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != n || len(recs) != n {
		t.Fatalf("Rows = %d, records %d, want %d", rep.Rows, len(recs), n)
	}
	for i, r := range recs {
		if r.Number != i+2 || r.Fields["name"] != fmt.Sprintf("Kunde %d", i) || r.Fields["phone"] != fmt.Sprintf("+4930%06d", 900000+i) {
			t.Fatalf("record %d = %+v, want row %d, Kunde %d", i, r, i+2, i)
		}
	}
}

// processoagil requires CPF/CNPJ, phone, e-mail and group of every customer.
func TestTheTenantsOwnRequiredFields(t *testing.T) {
	cfg := parseConfig(t, `{"version": 1, "entity": "customers", "required": ["national_id", "email", "group"], "locale": "pt-BR"}`)
	_, _, err := collect(t, texts([]string{"Nome/Razão Social", "CPF/CNPJ", "E-mail principal"}, []string{"A"}), Options{Config: cfg})
	if err == nil || !strings.Contains(err.Error(), "group") {
		t.Fatalf("RunReader without a Grupo column = %v, want a refusal naming group", err)
	}
	r := texts([]string{"Nome/Razão Social", "CPF/CNPJ", "E-mail principal", "Grupo"},
		[]string{"Padaria Silva", "11.222.333/0001-81", "contato@silva.example", "Varejo"},
		[]string{"João Souza", "", "joao@souza.example", "Varejo"},
	)
	_, recs, err := collect(t, r, Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs[0].Errors) != 0 || recs[0].Fields["national_id"] != "11222333000181" {
		t.Errorf("row 2 = %+v, want valid", recs[0])
	}
	want := []crm.RowError{{Row: 3, Column: "CPF/CNPJ", Field: "national_id", Reason: "is empty, but a new record needs it"}}
	if !reflect.DeepEqual(recs[1].Errors, want) {
		t.Errorf("row 3 errors = %+v, want %+v", recs[1].Errors, want)
	}
}

func TestHugeCellsMakeSmallBatches(t *testing.T) {
	big := strings.Repeat("x", 600<<10)
	var rows [][]string
	for i := 0; i < 20; i++ {
		rows = append(rows, []string{big})
	}
	c, err := newChecker(parseConfig(t, `{"version": 1, "entity": "customers"}`), []string{"Name"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := c.start(context.Background(), texts([]string{"Name"}, rows...))
	defer p.wait()
	for b := range p.inOrder {
		<-b.done
		if len(b.items) > 2 {
			t.Errorf("a batch of %d rows of 600 KiB, want at most 2", len(b.items))
		}
	}
}

func TestAFileWithNoColumnOfARequiredGroup(t *testing.T) {
	// processoagil's "Celular e/ou Telefone": either column will do; the
	// rows that leave both empty are the plan's to report.
	const group = `"required_one_of": [["mobile", "phone"]], "locale": "pt-BR"`
	tests := []struct {
		name, mode  string
		header      []string
		wantRefusal string // "" when the file is read
		wantWarning string
	}{
		{"add with a mobile column is read", "add", []string{"Nome/Razão Social", "Celular"}, "", ""},
		{"add with a phone column is read", "add", []string{"Nome/Razão Social", "Telefone"}, "", ""},
		{"add with neither is refused", "add", []string{"Nome/Razão Social", "E-mail principal"}, "no column holds any of mobile", ""},
		{"update with neither is read, with a warning", "update", []string{"Código do cliente", "Nome/Razão Social"}, "", "would create one without any of them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := ""
			if tt.mode != "add" {
				keys = `"key_fields": ["customer_number"], `
			}
			cfg := parseConfig(t, `{"version": 1, "entity": "customers", "mode": "`+tt.mode+`", `+keys+group+`}`)
			row := make([]string, len(tt.header))
			for i := range row {
				row[i] = "x"
			}
			rep, _, err := collect(t, texts(tt.header, row), Options{Config: cfg})
			if tt.wantRefusal != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantRefusal) || crm.KindOf(err) != crm.Invalid {
					t.Fatalf("RunReader(%q) = %v, want an Invalid refusal saying %q", tt.header, err, tt.wantRefusal)
				}
				return
			}
			if err != nil {
				t.Fatalf("RunReader(%q) = %v, want the file read", tt.header, err)
			}
			warned := strings.Join(rep.Warnings, "\n")
			if tt.wantWarning != "" && !strings.Contains(warned, tt.wantWarning) {
				t.Errorf("warnings = %q, want one saying %q", rep.Warnings, tt.wantWarning)
			}
			if tt.wantWarning == "" && strings.Contains(warned, "any of") {
				t.Errorf("warnings = %q, want none of the group", rep.Warnings)
			}
		})
	}
}

// With no locale named, Italian column titles read the file as it-IT, so
// an Italian phone number without +39 is Italian; a locale named wins.
func TestTheTitlesLanguageGivesTheLocale(t *testing.T) {
	header := []string{"Ragione sociale", "Città", "Telefono"}
	row := []string{"Rossi S.r.l.", "Milano", "02 1234 5678"}
	tests := []struct {
		name, locale, wantLocale, wantFrom, wantPhone string
	}{
		{"Italian titles", "", "it-IT", "it", "+390212345678"},
		{"a locale named wins", "de-DE", "de-DE", "", "+49212345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, recs, err := collect(t, texts(header, row), Options{Entity: "customers", Locale: tt.locale})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Locale != tt.wantLocale || rep.LocaleFromTitles != tt.wantFrom || recs[0].Fields["phone"] != tt.wantPhone {
				t.Errorf("RunReader() locale %q from %q, phone %q (errors %v); want %q from %q, %q",
					rep.Locale, rep.LocaleFromTitles, recs[0].Fields["phone"], recs[0].Errors, tt.wantLocale, tt.wantFrom, tt.wantPhone)
			}
		})
	}
	// A configuration that names en-US, the default, keeps it.
	named := parseConfig(t, `{"version": 1, "entity": "customers", "locale": "en-US"}`)
	if rep, _, err := collect(t, texts(header, row), Options{Config: named}); err != nil || rep.Locale != "en-US" || rep.LocaleFromTitles != "" {
		t.Errorf("RunReader(locale en-US named) = %q from %q, %v; want en-US as named", rep.Locale, rep.LocaleFromTitles, err)
	}
	for h, want := range map[string]string{"Name,City,Phone": "", "Name,Straße,PLZ,Ort": "de-DE", "Record Id,Account Name,Billing City": ""} {
		if loc, _ := localeOfTitles(mustSchema(t, "customers"), strings.Split(h, ",")); loc != want {
			t.Errorf("localeOfTitles(%q) = %q, want %q", h, loc, want)
		}
	}
}

func mustSchema(t *testing.T, entity string) *schema.Entity {
	t.Helper()
	e, err := schema.Lookup(entity)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
