package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/sheet"
)

// The locale, given for the file or in the configuration, reaches the
// reader's encoding detection: a windows-1250 file whose only letter
// beyond ASCII could be Spanish ("Gdañsk") or Polish ("Gdańsk") is read
// as Polish for a Polish tenant.
func TestLocaleTellsTheEncodingOfAnAmbiguousFile(t *testing.T) {
	data, err := charmap.Windows1250.NewEncoder().String("Name;City\nGdańsk Port;Gdańsk\n")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "klienci.csv")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	polish, err := config.Parse([]byte(`{"version": 1, "entity": "customers", "locale": "pl-PL"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"locale of the file", Options{Entity: "customers", Locale: "pl-PL"}},
		{"locale of the configuration", Options{Config: polish}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var city string
			rep, err := Run(context.Background(), path, tt.opts, func(r crm.Row) error {
				city = r.Fields["city"]
				return nil
			})
			if err != nil {
				t.Fatalf("Run(%s) = %v", tt.name, err)
			}
			if city != "Gdańsk" || rep.File.Encoding != "windows-1250" {
				t.Errorf("Run(%s) city = %q in %s, want %q in windows-1250", tt.name, city, rep.File.Encoding, "Gdańsk")
			}
		})
	}
}

// A configuration's encoding that contradicts the file refuses it before
// any row is handed on.
func TestConfiguredEncodingThatContradictsTheFileIsARefusal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kunden.csv")
	if err := os.WriteFile(path, []byte("Name;City\nMüller GmbH;Köln\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(`{"version": 1, "entity": "customers", "encoding": "windows-1252"}`))
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	_, err = Run(context.Background(), path, Options{Config: cfg}, func(crm.Row) error { rows++; return nil })
	want := `row 2, column A "Name": the file is in UTF-8, not windows-1252: read as windows-1252, "Müller GmbH" would become "MÃ¼ller GmbH"; choose utf-8, or leave the encoding to be detected`
	if crm.KindOf(err) != crm.Invalid || crm.Message(err) != want || rows != 0 {
		t.Errorf("Run(UTF-8 file, windows-1252) = %d rows, %v; want 0 rows and %s %q", rows, err, crm.Invalid, want)
	}
	// The tenant's choice for the file wins over the configuration's.
	if _, err := Run(context.Background(), path, Options{Config: cfg, Sheet: sheet.Options{Encoding: "utf-8"}}, func(crm.Row) error { return nil }); err != nil {
		t.Errorf("Run(UTF-8 file, utf-8 over the configuration's windows-1252) = %v, want no error", err)
	}
}
