package sheet_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/crmimport/crm-import/internal/sheet"
)

func ExampleOpen() {
	r, err := sheet.Open("../../testdata/files/customers-cp1252-semicolon.csv", sheet.Options{})
	if err != nil {
		var refused *sheet.Error
		if errors.As(err, &refused) {
			fmt.Println("refused:", refused) // tell the tenant
		}
		return
	}
	defer r.Close()
	info := r.Info()
	fmt.Println(info.Format, info.Encoding, info.Delimiter, r.Header()[1])
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(row.Number, row.Cells[1].Text, row.Cells[5].Text)
	}
	// Output:
	// csv windows-1252 ; Firma
	// 2 Müller GmbH 1.234,56
	// 3 Bäckerei Schäfer 987,00
	// 4 Öko-Gärtner KG 12.345.678,90
}
