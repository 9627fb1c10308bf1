package check_test

import (
	"context"
	"fmt"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/config"
)

// The validate step and crmimport check run a file like this: every record
// goes to the callback, the report sums up.
func ExampleRun() {
	cfg, err := config.Parse([]byte(`{"version": 1, "entity": "customers", "locale": "de-DE"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := check.Run(context.Background(), "../../testdata/files/customers-cp1252-semicolon.csv",
		check.Options{Config: cfg}, func(r crm.Row) error {
			fmt.Println(r.Number, r.Fields["name"], r.Fields["postcode"], r.Fields["revenue"], r.Fields["customer_since"])
			return nil
		})
	switch {
	case crm.KindOf(err) == crm.Invalid:
		fmt.Println("refused:", crm.Message(err))
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	fmt.Println(rep.File.Format, rep.File.Encoding, rep.File.Delimiter, rep.Rows, "rows,", rep.RowsWithErrors, "with errors")
	// Output:
	// 2 Müller GmbH 01067 1234.56 2026-12-31
	// 3 Bäckerei Schäfer 80331 987 2025-02-01
	// 4 Öko-Gärtner KG 20095 12345678.9 2024-02-29
	// csv windows-1252 ; 3 rows, 0 with errors
}
