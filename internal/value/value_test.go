package value

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
)

func locale(t testing.TB, tag string) Locale {
	t.Helper()
	l, err := ParseLocale(tag)
	if err != nil {
		t.Fatalf("ParseLocale(%q): %v", tag, err)
	}
	return l
}

func TestParseLocale(t *testing.T) {
	tests := []struct {
		tag           string
		region        string
		order         DateOrder
		decimal       byte
		dateExample   string
		numberExample string
	}{
		{"de-DE", "DE", DMY, ',', "31.12.2026", "1.234,56"},
		{"de", "DE", DMY, ',', "31.12.2026", "1.234,56"},
		{"de-CH", "CH", DMY, '.', "31.12.2026", "1,234.56"},
		{"en-US", "US", MDY, '.', "12/31/2026", "1,234.56"},
		{"en-GB", "GB", DMY, '.', "31/12/2026", "1,234.56"},
		{"pt-BR", "BR", DMY, ',', "31/12/2026", "1.234,56"},
		{"sv-SE", "SE", YMD, ',', "2026-12-31", "1.234,56"},
		{"pl-PL", "PL", DMY, ',', "31.12.2026", "1.234,56"},
	}
	for _, tt := range tests {
		l := locale(t, tt.tag)
		if l.Region != tt.region || l.Order != tt.order || l.Decimal != tt.decimal ||
			l.DateExample() != tt.dateExample || l.NumberExample() != tt.numberExample {
			t.Errorf("ParseLocale(%q) = %+v (%s, %s), want region %s order %d decimal %c (%s, %s)",
				tt.tag, l, l.DateExample(), l.NumberExample(), tt.region, tt.order, tt.decimal, tt.dateExample, tt.numberExample)
		}
	}
	for _, bad := range []string{"", "xx-QQ-!!", "tlh"} {
		if _, err := ParseLocale(bad); err == nil {
			t.Errorf("ParseLocale(%q) = nil error, want an error", bad)
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		locale, in, want string
	}{
		{"de-DE", "31.12.2026", "2026-12-31"},
		{"de-DE", " 1.2.2026 ", "2026-02-01"},
		{"de-DE", "31/12/2026", "2026-12-31"},
		{"pt-BR", "31/12/2026", "2026-12-31"},
		{"en-GB", "01/02/2026", "2026-02-01"},
		{"en-US", "12/31/2026", "2026-12-31"},
		{"en-US", "01/02/2026", "2026-01-02"},
		{"en-US", "31.12.2026", "2026-12-31"}, // dots are always day first
		{"en-US", "2026-12-31", "2026-12-31"},
		{"sv-SE", "2026-12-31", "2026-12-31"},
		{"sv-SE", "31/12/2026", "2026-12-31"},
		{"de-DE", "2026/12/31", "2026-12-31"},
		{"de-DE", "20261231", "2026-12-31"},
		{"de-DE", "2026-12-31T00:00:00", "2026-12-31"},
		{"de-DE", "2026-12-31 00:00:00.000", "2026-12-31"}, // a day stored as a date-time
		{"de-DE", "2026-12-31T00:00:00Z", "2026-12-31"},
		{"de-DE", "31.12.2026 00:00", "2026-12-31"},
		{"en-US", "12/31/2026 12:00 AM", "2026-12-31"},
		{"de-DE", "29.02.2028", "2028-02-29"},
		{"en-US", "Dec 31, 2026", "2026-12-31"},
		{"en-GB", "31 December 2026", "2026-12-31"},
		{"en-US", "31-Dec-2026", "2026-12-31"},
		{"de-DE", "31. Dezember 2026", "2026-12-31"},
		{"de-DE", "1. März 2026", "2026-03-01"},
		{"fr-FR", "1er janvier 2026", "2026-01-01"},
		{"en-US", "January 1st, 2026", "2026-01-01"},
		{"pt-BR", "1º de janeiro de 2026", "2026-01-01"},
		{"fr-FR", "14 févr. 2026", "2026-02-14"},
		{"pt-BR", "31 de dezembro de 2026", "2026-12-31"},
		{"es-ES", "5 de agosto de 2026", "2026-08-05"},
		{"it-IT", "5 ago 2026", "2026-08-05"},
		{"pl-PL", "31 grudnia 2026", "2026-12-31"},
		{"sv-SE", "31 okt 2026", "2026-10-31"},
	}
	for _, tt := range tests {
		got, err := locale(t, tt.locale).Date(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Date(%s, %q) = %q, %v, want %q", tt.locale, tt.in, got, err, tt.want)
		}
	}
}

func TestDateRefusesWithAReason(t *testing.T) {
	tests := []struct {
		locale, in, reason string
	}{
		{"de-DE", "31.13.2026", "is not a date: there is no month 13 (expected a day like 31.12.2026)"},
		// A bare number in text is not an Excel serial day: 45000 is far
		// more likely an amount or an ID than 15 March 2023.
		{"en-US", "45000", "is not a date: expected a day like 12/31/2026"},
		{"de-DE", "46387", "is not a date: expected a day like 31.12.2026"},
		{"de-DE", "46387.5", "is not a date: expected a day like 31.12.2026"},
		// A time other than midnight would be lost in a day-only column.
		{"en-US", "2026-01-01T10:00", "has a time of day (10:00), but this column holds a day only: remove the time, or map the column to a date-and-time field"},
		{"de-DE", "31.12.2026 14:30", "has a time of day (14:30), but this column holds a day only: remove the time, or map the column to a date-and-time field"},
		{"en-US", "Dec 31, 2026 2:30 PM", "has a time of day (2:30 PM), but this column holds a day only: remove the time, or map the column to a date-and-time field"},
		{"de-DE", "29.02.2026", "is not a date: February 2026 has no day 29"},
		{"en-US", "31/12/2026", "is not a date: there is no month 31 (expected a day like 12/31/2026)"},
		{"de-DE", "31.12.26", "is not a date: write the year with four digits, like 31.12.2026"},
		{"de-DE", "morgen", "is not a date: expected a day like 31.12.2026"},
		{"pt-BR", "2026", "is not a date: expected a day like 31/12/2026"},
		{"de-DE", "31.12.2026 25:00", "is not a date: expected a day like 31.12.2026"},
		{"de-DE", "0.0.0", "is not a date: write the year with four digits, like 31.12.2026"},
		{"de-DE", "01.01.0026", "is not a date: the year 0026 is not plausible (expected a day like 31.12.2026)"},
		{"de-DE", "", "is not a date: expected a day like 31.12.2026"},
		{"en-US", "Dec 2026", "is not a date: expected a day like 12/31/2026"},
		{"en-US", "Dec Jan 31 2026", "is not a date: expected a day like 12/31/2026"},
		{"en-US", "Feb 30, 2026", "is not a date: February 2026 has no day 30"},
	}
	for _, tt := range tests {
		got, err := locale(t, tt.locale).Date(tt.in)
		var ve *Error
		if !errors.As(err, &ve) || ve.Reason != tt.reason {
			t.Errorf("Date(%s, %q) = %q, %v, want error %q", tt.locale, tt.in, got, err, tt.reason)
		}
	}
}

func TestDateTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		locale string
		zone   *time.Location
		in     string
		want   string
	}{
		{"de-DE", berlin, "31.12.2026 14:30", "2026-12-31T13:30:00Z"},
		{"de-DE", berlin, "01.07.2026 14:30:15", "2026-07-01T12:30:15Z"},
		{"de-DE", nil, "31.12.2026 14:30", "2026-12-31T14:30:00Z"},
		{"en-US", nil, "12/31/2026 2:30 PM", "2026-12-31T14:30:00Z"},
		{"en-US", nil, "12/31/2026 12:05 am", "2026-12-31T00:05:00Z"},
		{"de-DE", berlin, "2026-12-31T14:30:00+02:00", "2026-12-31T12:30:00Z"},
		{"de-DE", berlin, "2026-12-31 14:30:00Z", "2026-12-31T14:30:00Z"},
		{"de-DE", nil, "2026-12-31T14:30:00.000", "2026-12-31T14:30:00Z"},
		{"de-DE", nil, "31.12.2026", "2026-12-31T00:00:00Z"},
		{"en-US", nil, "Dec 31, 2026 2:30 PM", "2026-12-31T14:30:00Z"},
		{"de-DE", berlin, "31. Dezember 2026 14:30", "2026-12-31T13:30:00Z"},
	}
	for _, tt := range tests {
		got, err := locale(t, tt.locale).DateTime(tt.in, tt.zone)
		if err != nil || got != tt.want {
			t.Errorf("DateTime(%s, %q) = %q, %v, want %q", tt.locale, tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"31.12.2026 14", "31.12.2026 14:61", "13:00 PM", "gestern", "46387.5", "45000"} {
		if got, err := locale(t, "de-DE").DateTime(bad, nil); err == nil {
			t.Errorf("DateTime(%q) = %q, want an error", bad, got)
		}
	}
}

func TestFromSerial(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{1, "1900-01-01T00:00:00Z"},
		{59, "1900-02-28T00:00:00Z"},
		{61, "1900-03-01T00:00:00Z"},
		{46387, "2026-12-31T00:00:00Z"},
		{46387.75, "2026-12-31T18:00:00Z"},
	}
	for _, tt := range tests {
		got, ok := FromSerial(tt.in)
		if !ok || got.Format(time.RFC3339) != tt.want {
			t.Errorf("FromSerial(%v) = %v, %v, want %s", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []float64{0, -3, 2958466} {
		if got, ok := FromSerial(bad); ok {
			t.Errorf("FromSerial(%v) = %v, want not ok", bad, got)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		locale, in, want string
	}{
		{"de-DE", "1.234,56", "1234.56"},
		{"en-US", "1,234.56", "1234.56"},
		{"de-DE", "1 234,56", "1234.56"},
		{"sv-SE", "12 345 678,9", "12345678.9"},
		{"en-US", "1 234", "1234"},
		{"fr-FR", "- 1 234,5 €", "-1234.5"},
		{"fr-FR", "1\u202f234,56", "1234.56"},
		{"de-CH", "1'234.56", "1234.56"},
		{"de-DE", "1.234.567", "1234567"},
		{"en-US", "1,234,567.5", "1234567.5"},
		{"de-DE", "1.234", "1234"}, // the locale's grouping
		{"en-US", "1.234", "1.234"},
		{"en-US", "1,234", "1234"},
		{"de-DE", "1,234", "1.234"},
		{"de-DE", "1.5", "1.5"}, // only a decimal point fits
		{"en-US", "2,5", "2.5"},
		{"de-DE", "-12,50", "-12.5"},
		{"de-DE", "12,50-", "-12.5"},
		{"en-US", "(1,000.00)", "-1000"},
		{"de-DE", "€ 1.234,56", "1234.56"},
		{"pt-BR", "R$ 1.234,56", "1234.56"},
		{"de-DE", "60 %", "60"},
		{"de-DE", "0042", "42"},
		{"de-DE", ",5", "0.5"},
		{"de-DE", "0", "0"},
		{"de-DE", "-0", "0"},
		{"en-US", "1.5E+06", "1500000"},
	}
	for _, tt := range tests {
		got, err := locale(t, tt.locale).Number(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Number(%s, %q) = %q, %v, want %q", tt.locale, tt.in, got, err, tt.want)
		}
	}
}

func TestNumberRefusesWithAReason(t *testing.T) {
	for _, in := range []string{"", "abc", "1.23.4", "1,234,56", "12.34,5.6", "1..2", "--1", ".", "1,2345.6", "1.2e3,4", "12 34", "1 2", "1  234", "1,5 5"} {
		got, err := locale(t, "en-US").Number(in)
		if err == nil || err.Error() != "is not a number: expected something like 1,234.56" {
			t.Errorf("Number(en-US, %q) = %q, %v, want the not-a-number error", in, got, err)
		}
	}
}

func TestEmail(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"anna.berg@Example.COM", "anna.berg@example.com", ""},
		{" info@müller.de ", "info@müller.de", ""},
		{"Anna <anna@example.com>", "", "is not an e-mail address: expected one like name@example.com"},
		{"anna@example", "", "is not an e-mail address: the part after @ is not a domain like example.com"},
		{"anna.example.com", "", "is not an e-mail address: expected one like name@example.com"},
		{"a@example.com; b@example.com", "", "holds several e-mail addresses; a cell takes one, like name@example.com"},
	}
	for _, tt := range tests {
		got, err := Email(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("Email(%q) = %q, %v, want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestPhone(t *testing.T) {
	tests := []struct{ locale, in, want string }{
		{"de-DE", "030 901820", "+4930901820"},
		{"de-DE", "+49 (0)30 901820", "+4930901820"},
		{"de-DE", "0049 30 901820", "+4930901820"},
		{"pt-BR", "84 4141-6120", "+558441416120"},
		{"pt-BR", "(11) 98765-4321", "+5511987654321"},
		{"sv-SE", "08-123 456 78", "+46812345678"},
		{"en-US", "(201) 555-0123", "+12015550123"},
		{"sv-SE", "+48 22 123 45 67", "+48221234567"},
	}
	for _, tt := range tests {
		got, err := locale(t, tt.locale).Phone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Phone(%s, %q) = %q, %v, want %q", tt.locale, tt.in, got, err, tt.want)
		}
	}
	if _, err := locale(t, "pt-BR").Phone("0123"); err == nil || !strings.Contains(err.Error(), "is not a phone number of Brazil") {
		t.Errorf("Phone(pt-BR, 0123) error = %v, want it to name Brazil", err)
	}
	for _, bad := range []string{"", "call me", "12", "+49 1"} {
		if got, err := locale(t, "de-DE").Phone(bad); err == nil {
			t.Errorf("Phone(de-DE, %q) = %q, want an error", bad, got)
		}
	}
}

func TestNationalID(t *testing.T) {
	tests := []struct {
		in         string
		fromNumber bool
		want, err  string
	}{
		{"529.982.247-25", false, "52998224725", ""},
		{"52998224725", false, "52998224725", ""},
		{"11.222.333/0001-81", false, "11222333000181", ""},
		{"12.ABC.345/01DE-35", false, "12ABC34501DE35", ""}, // alphanumeric CNPJ, Receita Federal's example
		{"12.abc.345/01de-35", false, "12ABC34501DE35", ""},
		{"1222333000128", true, "01222333000128", ""}, // a number cell dropped the leading zero
		{"1234567890", true, "01234567890", ""},
		{"1222333000128", false, "", "is not a CPF or CNPJ: expected 11 digits like 529.982.247-25 or 14 like 11.222.333/0001-81"},
		{"529.982.247-26", false, "", "is not a CPF: its check digits do not match; look for a mistyped digit"},
		{"11.222.333/0001-82", false, "", "is not a CNPJ: its check digits do not match; look for a mistyped character"},
		{"111.111.111-11", false, "", "is not a CPF: its check digits do not match; look for a mistyped digit"},
		{"1234", false, "", "is not a CPF or CNPJ: expected 11 digits like 529.982.247-25 or 14 like 11.222.333/0001-81"},
		{"529_982_247_25", false, "", "is not a CPF or CNPJ: expected 11 digits like 529.982.247-25 or 14 like 11.222.333/0001-81"},
	}
	for _, tt := range tests {
		got, err := NationalID(tt.in, tt.fromNumber)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("NationalID(%q, %v) = %q, %v, want %q, %q", tt.in, tt.fromNumber, got, err, tt.want, tt.err)
		}
	}
}

func TestEnum(t *testing.T) {
	values := schema.Customers.Fields[2].Values
	tests := []struct{ in, want string }{
		{"company", "company"}, {"COMPANY", "company"}, {"Pessoa Física", "person"},
		{"pessoa fisica", "person"}, {"Företag", "company"}, {"PF", "person"},
	}
	for _, tt := range tests {
		got, err := Enum(values, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Enum(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := Enum(values, "alien"); err == nil || err.Error() != "is not one of the allowed values: company, person" {
		t.Errorf("Enum(%q) error = %v, want the allowed values listed", "alien", err)
	}
}

func TestCellUsesTheSpreadsheetsTypes(t *testing.T) {
	p := Parser{Locale: locale(t, "en-US")}
	field := func(name string) schema.Field {
		f, ok := schema.Customers.Field(name)
		if !ok {
			t.Fatalf("no field %s", name)
		}
		return f
	}
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		field string
		cell  sheet.Cell
		want  string
	}{
		// A date cell is a date whatever its display text: no MDY/DMY guessing.
		{"date cell", "last_visit", sheet.Cell{Kind: sheet.Date, Text: "04.03.2026", Time: day}, "2026-03-04"},
		{"serial in a number cell", "last_visit", sheet.Cell{Kind: sheet.Number, Text: "46387", Number: 46387}, "2026-12-31"},
		{"number cell", "revenue", sheet.Cell{Kind: sheet.Number, Text: "1.234,50 €", Number: 1234.5}, "1234.5"},
		{"text postcode keeps zeros", "postcode", sheet.Cell{Kind: sheet.Text, Text: "00184"}, "00184"},
		{"text is trimmed", "city", sheet.Cell{Kind: sheet.Text, Text: "  Roma "}, "Roma"},
		{"empty cell", "email", sheet.Cell{Kind: sheet.Empty}, ""},
		{"blank text", "revenue", sheet.Cell{Kind: sheet.Text, Text: "   "}, ""},
		{"CNPJ from a number cell", "national_id", sheet.Cell{Kind: sheet.Number, Text: "1,22233E+12", Number: 1222333000128}, "01222333000128"},
		{"long number shown in scientific notation", "customer_number", sheet.Cell{Kind: sheet.Number, Text: "1.23457E+13", Number: 12345678901234}, "12345678901234"},
		{"number cell in a text field keeps its display", "customer_number", sheet.Cell{Kind: sheet.Number, Text: "00042", Number: 42}, "00042"},
		{"text date in the locale", "last_visit", sheet.Cell{Kind: sheet.Text, Text: "3/4/2026"}, "2026-03-04"},
	}
	for _, tt := range tests {
		got, err := p.Cell(field(tt.field), tt.cell)
		if err != nil || got != tt.want {
			t.Errorf("%s: Cell(%s, %+v) = %q, %v, want %q", tt.name, tt.field, tt.cell, got, err, tt.want)
		}
	}
	if got, err := p.Cell(field("last_visit"), sheet.Cell{Kind: sheet.Number, Text: "2026", Number: 2026}); err == nil {
		t.Errorf("Cell(last_visit, number 2026) = %q, want an error: a year is not a serial day", got)
	}
	if _, err := p.Cell(field("revenue"), sheet.Cell{Kind: sheet.Date, Text: "1/1/2026", Time: day}); err == nil {
		t.Errorf("Cell(revenue, date cell) = nil error, want an error")
	}
}

func TestTextLimits(t *testing.T) {
	if _, err := Text(strings.Repeat("x", MaxText)); err != nil {
		t.Errorf("Text(%d chars) = %v, want ok", MaxText, err)
	}
	if _, err := Text(strings.Repeat("x", MaxText+1)); err == nil {
		t.Errorf("Text(%d chars) = nil error, want too long", MaxText+1)
	}
	if _, err := Text("a\x00b"); err == nil {
		t.Errorf("Text with NUL = nil error, want an error")
	}
}

var canonicalNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1.234,56", "1,234.56", "1 234,56", "-0", "(1,000)", "1e5", "R$ 3,50", ",", "1.2.3"} {
		f.Add(s, true)
	}
	de, en := locale(f, "de-DE"), locale(f, "en-US")
	f.Fuzz(func(t *testing.T, s string, comma bool) {
		l := en
		if comma {
			l = de
		}
		got, err := l.Number(s)
		if err != nil {
			return
		}
		if !canonicalNumber.MatchString(got) {
			t.Fatalf("Number(%q) = %q, not canonical", s, got)
		}
		if again, err := en.Number(got); err != nil || again != got {
			t.Fatalf("Number(Number(%q) = %q) = %q, %v, want the same", s, got, again, err)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"31.12.2026", "12/31/2026", "2026-12-31", "46387", "20261231", "31.12.2026 14:30", "0.0.0", "99999"} {
		f.Add(s, false)
	}
	de, us := locale(f, "de-DE"), locale(f, "en-US")
	f.Fuzz(func(t *testing.T, s string, mdy bool) {
		l := de
		if mdy {
			l = us
		}
		got, err := l.Date(s)
		if err != nil {
			return
		}
		d, perr := time.Parse(time.DateOnly, got)
		if perr != nil || d.Format(time.DateOnly) != got {
			t.Fatalf("Date(%q) = %q, not a day", s, got)
		}
		if again, err := l.Date(got); err != nil || again != got {
			t.Fatalf("Date(Date(%q) = %q) = %q, %v, want the same", s, got, again, err)
		}
		if _, err := l.DateTime(s, nil); err != nil && !strings.Contains(s, ":") && !strings.Contains(s, " ") {
			t.Fatalf("DateTime(%q) = %v, but Date(%q) = %q", s, err, s, got)
		}
	})
}

func FuzzNationalID(f *testing.F) {
	for _, s := range []string{"529.982.247-25", "11.222.333/0001-81", "12.ABC.345/01DE-35", "00000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NationalID(s, false)
		if err != nil {
			return
		}
		if again, err := NationalID(got, false); err != nil || again != got {
			t.Fatalf("NationalID(NationalID(%q) = %q) = %q, %v", s, got, again, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"030 901820", "+55 84 4141-6120", "0049 30 901820", "++", "+"} {
		f.Add(s)
	}
	de := locale(f, "de-DE")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := de.Phone(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "+") {
			t.Fatalf("Phone(%q) = %q, not E.164", s, got)
		}
		if again, err := de.Phone(got); err != nil || again != got {
			t.Fatalf("Phone(Phone(%q) = %q) = %q, %v", s, got, again, err)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "A <a@example.com>", "a@b", "\"x y\"@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Email(s)
		if err != nil {
			return
		}
		if again, err := Email(got); err != nil || again != got {
			t.Fatalf("Email(Email(%q) = %q) = %q, %v", s, got, again, err)
		}
	})
}

// compactPhone only saves time: libphonenumber finds the same valid number
// in the compacted text as in the original, or none in both.
func FuzzCompactPhone(f *testing.F) {
	for _, s := range []string{"030 901820", "+49 (0)30 901-820", "0049 30 901820", "(11) 98765-4321", "08-123 456 78", "+1 201.555.0123", "1/2"} {
		f.Add(s)
	}
	valid := func(s string) string {
		n, err := phonenumbers.Parse(s, "DE")
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return "invalid"
		}
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, b := valid(s), valid(compactPhone(s)); a != b {
			t.Fatalf("%q reads as %s, compacted %q as %s", s, a, compactPhone(s), b)
		}
	})
}

func TestReadNumberSaysWhichDecimalTheTextProves(t *testing.T) {
	tests := []struct {
		name, locale, in, want string
		decimal                byte
	}{
		{"both separators, comma last", "en-US", "2.500,75", "2500.75", ','},
		{"both separators, point last", "de-DE", "1,234.56", "1234.56", '.'},
		{"a lone comma without three digits", "en-US", "1,5", "1.5", ','},
		{"a lone point without three digits", "de-DE", "0.5", "0.5", '.'},
		{"repeated points group thousands", "en-US", "1.234.567", "1234567", ','},
		{"repeated commas group thousands", "de-DE", "1,234,567", "1234567", '.'},
		{"a leading zero cannot start a group", "en-US", "0,123", "0.123", ','},
		{"no digits before the separator", "en-US", ",125", "0.125", ','},
		{"four digits cannot start a group", "en-US", "1234,567", "1234.567", ','},
		{"spaces group, so the comma is decimal", "en-US", "1 234,567", "1234.567", ','},
		{"a point and three digits: the locale's grouping", "de-DE", "1.234", "1234", 0},
		{"a point and three digits: the locale's decimal", "en-US", "1.234", "1.234", 0},
		{"a comma and three digits: the locale's grouping", "en-US", "1,234", "1234", 0},
		{"no separator", "de-DE", "42", "42", 0},
		{"scientific notation", "en-US", "1.5E+06", "1500000", 0},
	}
	for _, tt := range tests {
		got, dec, err := locale(t, tt.locale).ReadNumber(tt.in)
		if err != nil || got != tt.want || dec != tt.decimal {
			t.Errorf("%s: ReadNumber(%s, %q) = %q, %q, %v, want %q, %q", tt.name, tt.locale, tt.in, got, dec, err, tt.want, tt.decimal)
		}
	}
}

func TestDateOrderOf(t *testing.T) {
	tests := []struct {
		in         string
		order      DateOrder
		dotted, ok bool
	}{
		{"25/04/2026", DMY, false, true},
		{"04/25/2026", MDY, false, true},
		{"25-04-2026", DMY, false, true},
		{"01.02.2025", DMY, true, true},
		{"25/04/2026 14:30", DMY, false, true},
		{"03/04/2026", 0, false, false},   // either order fits
		{"2026-04-25", 0, false, false},   // the year first: no question
		{"25/13/2026", 0, false, false},   // not a date either way
		{"Apr 25, 2026", 0, false, false}, // a named month: no question
		{"45000", 0, false, false},
		{"", 0, false, false},
	}
	for _, tt := range tests {
		order, dotted, ok := DateOrderOf(tt.in)
		if order != tt.order || dotted != tt.dotted || ok != tt.ok {
			t.Errorf("DateOrderOf(%q) = %v, %v, %v, want %v, %v, %v", tt.in, order, dotted, ok, tt.order, tt.dotted, tt.ok)
		}
	}
}

// A separator the text proves reads the same in every locale: that is what
// lets a column's proven cells decide how its other cells are read.
func FuzzReadNumberProofHoldsInEveryLocale(f *testing.F) {
	for _, s := range []string{"2.500,75", "1,234.56", "1,5", "0.5", "1.234.567", "0,123", "1 234,567", "1.234", "42"} {
		f.Add(s)
	}
	de, en := locale(f, "de-DE"), locale(f, "en-US")
	f.Fuzz(func(t *testing.T, s string) {
		dv, dd, derr := de.ReadNumber(s)
		ev, ed, eerr := en.ReadNumber(s)
		if dd != ed && derr == nil && eerr == nil {
			t.Fatalf("ReadNumber(%q) proves %q in de-DE but %q in en-US", s, dd, ed)
		}
		if dd != 0 && derr == nil && (eerr != nil || ev != dv) {
			t.Fatalf("ReadNumber(%q) proves %q but reads %q, %v in de-DE and %q, %v in en-US", s, dd, dv, derr, ev, eerr)
		}
	})
}

// A date whose order DateOrderOf proves never reads the other way.
func FuzzDateOrderOf(f *testing.F) {
	for _, s := range []string{"25/04/2026", "04/25/2026", "03/04/2026", "01.02.2025", "25-04-2026 10:00", "2026-04-25"} {
		f.Add(s)
	}
	dmy := Locale{Order: DMY, DateSep: '/'}
	mdy := Locale{Order: MDY, DateSep: '/'}
	f.Fuzz(func(t *testing.T, s string) {
		order, dotted, ok := DateOrderOf(s)
		if !ok || dotted {
			return
		}
		wrong := mdy
		if order == MDY {
			wrong = dmy
		}
		if got, err := wrong.DateTime(s, nil); err == nil {
			t.Fatalf("DateOrderOf(%q) = %v, but it reads the other way too, as %s", s, order, got)
		}
	})
}
