package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/crmimport/crm-import/internal/check"
)

func files(name string) string   { return filepath.Join("..", "..", "testdata", "files", name) }
func configs(name string) string { return filepath.Join("..", "..", "testdata", "configs", name) }

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// contains reports whether out holds want; a want written as
// "| a | b |" matches a table line with those cells, whatever the padding.
func contains(out, want string) bool {
	if !strings.HasPrefix(want, "| ") {
		return strings.Contains(out, want)
	}
	cells := func(line, sep string) string {
		var parts []string
		for _, p := range strings.Split(line, sep) {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, "\x00")
	}
	for _, line := range strings.Split(out, "\n") {
		if cells(line, "│") == cells(want, "|") {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const badGerman = `Kundennummer;Name;PLZ;Letzter Besuch;Umsatz;E-Mail;Vertreter-Mail;Interne Notiz
0042;Müller GmbH;01067;31.12.2026;1.234,56;info@mueller.example;anna@example.com;x
0043;Schäfer;80331;31.13.2026;viel;schaefer(at)example.de;anna@example.com;
0044;;20095;;;;bo@example.com;
`

// The values of testdata/files/customers.csv, in every format LibreOffice
// saved it in, as the preview shows them.
var customerValues = []string{
	"| customer_number | 1001 | 1002 | 1003 | 1004 |",
	"| name | Müller GmbH | Café Élan SARL | Łódź Trading Sp. z o.o. | Smith, Jones & Co |",
	"| postcode | 00184 | 75001 | 90-001 | 02139 |",
	"| city | Roma | Paris | Łódź | Cambridge |",
	"| customer_since | 2026-12-31 | 2025-01-15 | 2024-02-29 | 2023-07-04 |",
	"| revenue | 1234.56 | 99.5 | 0 | -15.25 |",
	"| email | info@mueller.example | contact@elan.example | biuro@lodz.example | sales@smithjones.example |",
}

func TestCheckCleanFiles(t *testing.T) {
	tests := []struct {
		args []string
		want []string // lines or fragments stdout must hold
	}{
		{[]string{"check", files("customers.xlsx"), "--entity", "customers", "--preview", "4"},
			append([]string{"Format     xlsx", "Rows       4", "│ C      │ Postcode        │ postcode        │ title │", "No errors: all 4 rows can be imported."}, customerValues...)},
		{[]string{"check", files("customers.ods"), "--entity", "customers", "--preview", "4"},
			append([]string{"Format     ods", "Rows       4", "│ E      │ Customer since  │ customer_since  │ title │"}, customerValues...)},
		{[]string{"check", files("customers-cp1252-semicolon.csv"), "--entity", "customers", "--locale", "de-DE"},
			[]string{"Encoding   windows-1252", "Delimiter  ;", "Locale     de-DE", "│ C      │ Straße       │ street          │ title │",
				"| name | Müller GmbH | Bäckerei Schäfer | Öko-Gärtner KG |",
				"| street | Königstraße 5 | Große Gasse 12 | Weißdornweg 3 |",
				"| postcode | 01067 | 80331 | 20095 |",
				"| revenue | 1234.56 | 987 | 12345678.9 |",
				"| customer_since | 2026-12-31 | 2025-02-01 | 2024-02-29 |"}},
		{[]string{"check", files("customers-utf16.txt"), "--entity", "customers", "--preview", "4"},
			append([]string{"Encoding   utf-16le", "Delimiter  tab", "Rows       4"}, customerValues...)},
		{[]string{"check", files("two-sheets.ods"), "--entity", "customers", "--sheet", "Customers"},
			[]string{`Sheet      Customers (the workbook has "Customers", "Contacts", "Notes")`, "Rows       4"}},
		{[]string{"check", files("customers-cp1252-semicolon.csv"), "--entity", "customers", "--encoding", "windows-1252", "--delimiter", ";"},
			[]string{"Encoding   windows-1252"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.args[1]), func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != ExitOK {
				t.Fatalf("crmimport %q = exit %d, want 0; stderr %s\n%s", tt.args, code, errOut, out)
			}
			for _, w := range tt.want {
				if !contains(out, w) {
					t.Errorf("crmimport %q output lacks %q:\n%s", tt.args, w, out)
				}
			}
		})
	}
}

func TestCheckJSONIsTheReport(t *testing.T) {
	code, out, _ := run(t, "check", files("customers.xlsx"), "--entity", "customers", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d, want 0", code)
	}
	var rep check.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not a report: %v\n%s", err, out)
	}
	if rep.Rows != 4 || rep.File.Format != "xlsx" || len(rep.Mapping) != 7 || rep.Mapping[2].Field != "postcode" || rep.ErrorCount != 0 {
		t.Errorf("report = %+v", rep)
	}
}

func TestCheckRowErrorsAndAssignees(t *testing.T) {
	path := writeFile(t, "kunden.csv", badGerman)
	code, out, _ := run(t, "check", path, "--config", configs("customers-agents.json"))
	if code != ExitRowErrors {
		t.Fatalf("exit %d, want %d\n%s", code, ExitRowErrors, out)
	}
	for _, w := range []string{
		"│   3 │ Letzter Besuch │ 31.13.2026             │ is not a date: there is no month 13 (expected a day like 31.12.2026) │",
		"│   3 │ Umsatz         │ viel                   │ is not a number: expected something like 1.234,56 ",
		"│   4 │ Name           │                        │ is empty, but a new record needs it ",
		"│ anna@example.com │    2 │",
		"│ bo@example.com   │    1 │",
		"│ H      │ Interne Notiz  │ -               │ ignored  │",
		"2 of 3 rows have errors and would not be imported.",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}

	code, out, _ = run(t, "check", path, "--config", configs("customers-agents.json"), "--json")
	var rep check.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitRowErrors {
		t.Fatalf("--json: exit %d, %v", code, err)
	}
	if rep.Assignees["anna@example.com"] != 2 || rep.ErrorCount != 4 || rep.Errors[0].Value != "31.13.2026" {
		t.Errorf("report = %+v", rep)
	}
}

func TestCheckRefusedFiles(t *testing.T) {
	dup := writeFile(t, "dup.csv", "Name,E-Mail,Email\nA,a@example.com,b@example.com\n")
	empty := writeFile(t, "empty.csv", "")
	noName := writeFile(t, "places.csv", "PLZ,Ort\n01067,Dresden\n")
	binary := writeFile(t, "binary.csv", "\x00\x01\x02\x03PK\x00\xff\xfe\x00\x00garbage\x00\x00")
	formula := writeFile(t, "formula.csv", "Name,City,Email\nAnna,=HYPERLINK(\"x\"),a@example.com\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"two sheets unnamed", []string{"check", files("two-sheets.xlsx"), "--entity", "customers"}, "Contacts"},
		{"two columns for one field", []string{"check", dup, "--entity", "customers"}, `column B "E-Mail" and column C "Email" all map to the field "email"`},
		{"empty file", []string{"check", empty, "--entity", "customers"}, "empty"},
		{"binary data", []string{"check", binary, "--entity", "customers"}, "refused"},
		{"missing required column", []string{"check", noName, "--entity", "customers"}, "required field name"},
		{"an unquoted formula", []string{"check", formula, "--entity", "customers"}, `row 2, column B "City": the value holds a "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != ExitRefused {
				t.Fatalf("crmimport %q = exit %d, want %d\n%s%s", tt.args, code, ExitRefused, out, errOut)
			}
			if !strings.Contains(errOut, "the file is refused: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want a refusal saying %q", errOut, tt.want)
			}
		})
	}

	code, out, _ := run(t, "check", dup, "--entity", "customers", "--json")
	var got struct {
		Refused bool
		Reason  string
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != ExitRefused || !got.Refused || !strings.Contains(got.Reason, "E-Mail") {
		t.Errorf("--json refusal = exit %d, %+v, %v", code, got, err)
	}
}

// Damaged files end with a clear message and the right exit code, never a
// panic or a stack trace.
func TestCheckBadInput(t *testing.T) {
	tests := []struct {
		name    string
		content string
		code    int
		want    string
	}{
		{"header only", "Name,City\n", ExitRefused, "the file has column titles but no data rows"},
		{"unbalanced quotes", "Name,City\n\"Müller,Berlin\nB,Hamburg\n", ExitRefused, "a quoted value is not closed properly"},
		{"ragged row", "Name,City\nA,Berlin,extra\nB,Hamburg\n", ExitRowErrors, "column C holds \"extra\""},
		{"NUL bytes", "Name,City\nA\x00B,Berlin\nC,Köln\n", ExitRefused, "binary data"},
		{"multi-megabyte cell", "Name,City\nA," + strings.Repeat("x", 3<<20) + "\nB,Köln\n", ExitRefused, "longer than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, "check", writeFile(t, "bad.csv", tt.content), "--entity", "customers")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.want) || strings.Contains(errOut, "goroutine") {
				t.Errorf("output does not say %q:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

func TestCheckUsageErrors(t *testing.T) {
	bad := writeFile(t, "bad.json", `{"version": 2, "entity": "customers"}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no entity", []string{"check", files("customers.csv")}, "--entity"},
		{"unknown entity", []string{"check", files("customers.csv"), "--entity", "invoices"}, `unknown entity "invoices"`},
		{"bad configuration", []string{"check", files("customers.csv"), "--config", bad}, "unknown configuration version 2"},
		{"bad locale", []string{"check", files("customers.csv"), "--entity", "customers", "--locale", "xx-YY"}, `locale "xx-YY"`},
		{"entity and configuration disagree", []string{"check", files("customers.csv"), "--entity", "deals", "--config", configs("customers-de.json")}, "the configuration is for customers, not deals"},
		{"no file", []string{"check", "--entity", "customers"}, "arg"},
		// A path that names no file is the caller's mistake, not a refused
		// file; the path is said once.
		{"missing file", []string{"check", files("nothing-here.csv"), "--entity", "customers"},
			"crmimport: open " + files("nothing-here.csv") + ": no such file or directory\n"},
		{"unknown flag", []string{"check", files("customers.csv"), "--entitty", "customers"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.args...)
			if code != ExitFailure || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "open ") > 1 {
				t.Errorf("crmimport %q = exit %d, stderr %q, want exit %d saying %q", tt.args, code, errOut, ExitFailure, tt.want)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	code, out, errOut := run(t, "template", "--entity", "customers")
	if code != ExitOK || !strings.HasPrefix(out, "PK") {
		t.Fatalf("template = exit %d, stderr %q, want an XLSX on stdout", code, errOut)
	}
	path := writeFile(t, "template.xlsx", out)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Customers")
	f.Close()
	if err != nil || len(rows) != 2 || rows[0][3] != "Name *" {
		t.Fatalf("template rows = %q, %v, want a title row with \"Name *\" and an example", rows, err)
	}
	// A template, filled in as shipped, checks clean.
	if code, out, _ := run(t, "check", path, "--entity", "customers"); code != ExitOK {
		t.Errorf("check of the template = exit %d\n%s", code, out)
	}

	german := filepath.Join(t.TempDir(), "kunden.xlsx")
	if code, _, errOut := run(t, "template", "--entity", "accounts", "--lang", "de", "-o", german); code != ExitOK {
		t.Fatalf("template --lang de -o = exit %d: %s", code, errOut)
	}
	if code, out, _ := run(t, "check", german, "--entity", "companies"); code != ExitOK || !strings.Contains(out, "│ C      │ Name *") {
		t.Errorf("check of the German companies template = exit %d\n%s", code, out)
	}

	ptbr := filepath.Join(t.TempDir(), "clientes.xlsx")
	if code, _, errOut := run(t, "template", "--config", configs("processoagil.json"), "--lang", "pt", "-o", ptbr); code != ExitOK {
		t.Fatalf("template --config processoagil.json = exit %d: %s", code, errOut)
	}
	if code, out, _ := run(t, "check", ptbr, "--config", configs("processoagil.json")); code != ExitOK || !contains(out, "| R | CPF/CNPJ * | national_id | title |") {
		t.Errorf("check of the processoagil template = exit %d\n%s", code, out)
	}

	if code, _, errOut := run(t, "template", "--entity", "invoices"); code != ExitFailure || !strings.Contains(errOut, "unknown entity") {
		t.Errorf("template --entity invoices = exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(t, "template", "--entity", "customers", "--lang", "tlh"); code != ExitFailure || !strings.Contains(errOut, "unknown language") {
		t.Errorf("template --lang tlh = exit %d, %q", code, errOut)
	}
}

// The built binary exits with the codes the help promises.
func TestBinaryExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "crmimport")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bad := writeFile(t, "kunden.csv", badGerman)
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"check", files("customers.csv"), "--entity", "customers"}, ExitOK},
		{[]string{"check", bad, "--entity", "customers", "--locale", "de-DE"}, ExitRowErrors},
		{[]string{"check", files("two-sheets.xlsx"), "--entity", "customers"}, ExitRefused},
		{[]string{"check", files("customers.csv")}, ExitFailure},
	}
	for _, tt := range tests {
		err := exec.Command(bin, tt.args...).Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("crmimport %q = exit %d, want %d", tt.args, code, tt.code)
		}
	}
}

// The template is binary: refused on a terminal, where it would garble the
// screen, written anywhere else, /dev/null (a character device) included.
func TestTemplateRefusesOnlyATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	script, err := exec.LookPath("script") // util-linux: runs a command on a pseudo-terminal
	if err != nil {
		t.Skip("no script(1) to give the command a terminal")
	}
	bin := filepath.Join(t.TempDir(), "crmimport")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	tests := []struct {
		name string
		cmd  *exec.Cmd
		code int
	}{
		{"stdout is /dev/null", exec.Command(bin, "template", "--entity", "customers"), ExitOK},
		{"stdout is a terminal", exec.Command(script, "-qec", bin+" template --entity customers", os.DevNull), ExitFailure},
		{"a terminal, but -o names a file", exec.Command(script, "-qec", bin+" template --entity customers -o "+filepath.Join(t.TempDir(), "t.xlsx"), os.DevNull), ExitOK},
	}
	for _, tt := range tests {
		tt.cmd.Stdout = devNull
		err := tt.cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("%s: crmimport template = exit %d, want %d", tt.name, code, tt.code)
		}
	}
}

// The reviewer's file: a German Windows-1252 ";" CSV checked without a
// locale: its German titles make it de-DE. 2.500,75 shows the column's
// decimal comma, so 1.234 is 1234, not 1.234, and 0.5 cannot be read the
// column's way: a row error, exit 1.
func TestCheckReadsAColumnOneWay(t *testing.T) {
	text := "Name;Umsatz;Letzter Besuch\nMüller;1.234;01.02.2025\nSchmidt;2.500,75;03/04/2026\nWeiß;0.5;25/04/2026\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "kunden.csv", cp1252)
	code, out, errOut := run(t, "check", path, "--entity", "customers")
	for _, want := range []string{
		"| revenue | 1234 | 2500.75 | |",
		"| last_visit | 2025-02-01 | 2026-04-03 | 2026-04-25 |",
		"Locale     de-DE (from the German column titles",
		"reads as 0.5 with a decimal point, but other rows of this column use a",
	} {
		if !contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if code != ExitRowErrors {
		t.Errorf("check = exit %d, want %d\n%s", code, ExitRowErrors, errOut)
	}
}
