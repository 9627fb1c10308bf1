package plan_test

import (
	"fmt"
	"os"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/plan"
)

// A file with only the key column and one field changes only that field.
func ExampleBuild() {
	existing := []crm.Record{
		{Entity: "customer", ID: "c1", Version: 3, Fields: map[string]string{"customer_no": "1001", "name": "Müller GmbH", "visit_interval": "30"}},
	}
	rows := []crm.Row{
		{Number: 2, Fields: map[string]string{"customer_no": "1001", "visit_interval": "14"}},
		{Number: 3, Fields: map[string]string{"customer_no": "1002", "visit_interval": "7"}},
	}
	p, err := plan.Build(existing, rows, plan.Options{
		ImportID: "imp1", User: "anna", Entity: "customer", Mode: crm.UpdateOnly,
		KeyFields: []string{"customer_no"}, Kinds: map[string]plan.Kind{"visit_interval": plan.Number},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows match existing records\n", p.Preview.Matched)
	if err := plan.WriteOps(os.Stdout, p.Ops); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 rows match existing records
	// {"op":"update","row":2,"id":"c1","version":3,"fields":{"customer_no":"1001","name":"Müller GmbH","visit_interval":"14"},"changes":[{"field":"visit_interval","old":"30","new":"14"}],"key":"customer_no=\"1001\""}
	// {"op":"skip","row":3,"key":"customer_no=\"1002\"","reason":"no existing record has this key; update only never creates records"}
}
