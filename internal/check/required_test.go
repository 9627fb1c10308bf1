package check

import (
	"reflect"
	"testing"
)

// In the update modes a row whose key matches no record creates one, but
// which rows match is known only when the plan is made: the report warns,
// and the rows themselves carry no error for it.
func TestUpdateModesWarnThatNewRecordsNeedTheRequiredFields(t *testing.T) {
	const missingName = `no column holds the required field name (a column titled for example "Name"): a row that matches no existing record would create one without it, so such rows will be reported as errors, not imported; add the column if the file holds new customers`
	tests := []struct {
		name   string
		config string
		header []string
		rows   [][]string
		want   []string
	}{
		{
			name:   "update without a column for the name",
			config: `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`,
			header: []string{"Kundennummer", "Ort"},
			rows:   [][]string{{"1001", "Berlin"}},
			want:   []string{missingName},
		},
		{
			name:   "update with deletion, the configuration's own required field without a column",
			config: `{"version": 1, "entity": "customers", "mode": "update_delete", "key_fields": ["customer_number"], "required": ["phone"]}`,
			header: []string{"Kundennummer", "Firma"},
			rows:   [][]string{{"1001", "Müller GmbH"}},
			want:   []string{`no column holds the required field phone (a column titled for example "Phone"): a row that matches no existing record would create one without it, so such rows will be reported as errors, not imported; add the column if the file holds new customers`},
		},
		{
			name:   "update with empty names, counted once per column; a row in error is not counted",
			config: `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`,
			header: []string{"Kundennummer", "Firma", "E-Mail"},
			rows:   [][]string{{"1001", "Müller GmbH", ""}, {"1002", "", ""}, {"1003", " ", ""}, {"1004", "", "kaputt@"}},
			want:   []string{`2 rows have no value in the required column "Firma" (the first is row 3): those that match no existing record cannot create one without it, so they will be reported as errors, not imported`},
		},
		{
			name:   "update with one empty name",
			config: `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`,
			header: []string{"Kundennummer", "Firma"},
			rows:   [][]string{{"1001", "Müller GmbH"}, {"1002", ""}},
			want:   []string{`1 row has no value in the required column "Firma" (the first is row 3): those that match no existing record cannot create one without it, so they will be reported as errors, not imported`},
		},
		{
			name:   "update only never creates: nothing to warn about",
			config: `{"version": 1, "entity": "customers", "mode": "update_only", "key_fields": ["customer_number"]}`,
			header: []string{"Kundennummer", "Firma"},
			rows:   [][]string{{"1001", ""}},
		},
		{
			name:   "update with every name given",
			config: `{"version": 1, "entity": "customers", "mode": "update", "key_fields": ["customer_number"]}`,
			header: []string{"Kundennummer", "Firma"},
			rows:   [][]string{{"1001", "Müller GmbH"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, recs, err := collect(t, texts(tt.header, tt.rows...), Options{Config: parseConfig(t, tt.config)})
			if err != nil {
				t.Fatalf("RunReader() error = %v", err)
			}
			if !reflect.DeepEqual(rep.Warnings, tt.want) {
				t.Errorf("RunReader() warnings = %q, want %q", rep.Warnings, tt.want)
			}
			for _, r := range recs {
				for _, e := range r.Errors {
					if e.Field == "name" || e.Field == "phone" {
						t.Errorf("row %d error = %v, want no row error for a required field in an update mode", r.Number, e)
					}
				}
			}
		})
	}
}
