package mapping

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/crmimport/crm-import/internal/schema"
)

// Full headers of Zoho CRM module exports (Livespace's migration guide):
// every export maps without help, and without two columns on one field.
func TestZohoExportsMapWithoutHelp(t *testing.T) {
	tests := []struct {
		module string
		header string
		want   []string // fields mapped, sorted
	}{
		{"Accounts",
			"Record Id,Account Owner,Account Name,Phone,Website,Account Site,Parent Account,Account Number,Account Type,Industry,Annual Revenue,Created By,Modified By,Created Time,Modified Time,Billing Street,Billing City,Billing State,Billing Code,Billing Country,Shipping Street,Shipping City,Shipping State,Shipping Code,Shipping Country,Description,Fax,Employees,Ownership,Rating,SIC Code,Ticker Symbol,Tag,Last Activity Time",
			[]string{"city", "country", "customer_number", "description", "employees", "external_id", "industry", "name", "owner", "parent", "phone", "postcode", "region", "revenue", "street", "website"}},
		{"Contacts",
			"Record Id,Contact Owner,Lead Source,First Name,Last Name,Account Name,Vendor Name,Email,Title,Department,Phone,Home Phone,Other Phone,Fax,Mobile,Date of Birth,Assistant,Asst Phone,Reports To,Email Opt Out,Created By,Modified By,Created Time,Modified Time,Salutation,Secondary Email,Last Activity Time,Twitter,Skype ID,Mailing Street,Other Street,Mailing City,Other City,Mailing State,Other State,Mailing Zip,Other Zip,Mailing Country,Other Country,Description,Tag",
			[]string{"birthday", "city", "company", "country", "department", "description", "email", "external_id", "first_name", "job_title", "last_name", "mobile", "owner", "phone", "postcode", "region", "salutation", "source", "street"}},
		{"Deals",
			"Record Id,Deal Owner,Amount,Deal Name,Closing Date,Account Name,Stage,Type,Probability (%),Next Step,Expected Revenue,Lead Source,Campaign Source,Contact Name,Created By,Modified By,Created Time,Modified Time,Last Activity Time,Lead Conversion Time,Sales Cycle Duration,Overall Sales Duration,Description,Tag",
			[]string{"amount", "close_date", "company", "contact", "description", "external_id", "name", "next_step", "owner", "probability", "source", "stage", "type"}},
		{"Leads",
			"Record Id,Lead Owner,Company,First Name,Last Name,Title,Email,Phone,Fax,Mobile,Website,Lead Source,Lead Status,Industry,No. of Employees,Annual Revenue,Rating,Email Opt Out,Skype ID,Salutation,Secondary Email,Twitter,Street,City,State,Zip Code,Country,Description,Tag",
			[]string{"city", "company", "country", "description", "email", "employees", "external_id", "first_name", "industry", "job_title", "last_name", "mobile", "owner", "phone", "postcode", "rating", "region", "revenue", "source", "status", "street", "website"}},
		{"Products",
			"Record Id,Product Owner,Product Name,Product Code,Vendor Name,Product Active,Manufacturer,Product Category,Sales Start Date,Sales End Date,Support Start Date,Support Expiry Date,Unit Price,Commission Rate,Tax,Usage Unit,Qty Ordered,Qty in Stock,Reorder Level,Handler,Qty in Demand,Description,Taxable,Tag",
			[]string{"active", "category", "code", "description", "external_id", "manufacturer", "name", "stock", "unit", "unit_price"}},
		{"Tasks",
			"Record Id,Task Owner,Subject,Due Date,Contact Name,Related To,Status,Priority,Send Notification Email,Created By,Modified By,Created Time,Modified Time,Closed Time,Description,Tag",
			[]string{"contact", "description", "due_date", "external_id", "owner", "priority", "status", "subject"}},
		{"Events",
			"Record Id,Title,From,To,Venue,Host,Contact Name,Related To,Participants,Created By,Modified By,Created Time,Modified Time,Description,Tag",
			[]string{"contact", "description", "end", "external_id", "location", "owner", "start", "subject"}},
		{"Notes", "Record Id,Note Title,Note Content,Parent ID,Note Owner,Created Time,Modified Time",
			[]string{"body", "date", "external_id", "owner", "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.module, func(t *testing.T) {
			e, err := schema.Lookup(tt.module)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Map(e, strings.Split(tt.header, ","), nil)
			if err != nil {
				t.Fatalf("Map(%s export): %v", tt.module, err)
			}
			var got []string
			for _, c := range r.Columns {
				if c.Field != "" {
					got = append(got, c.Field)
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Map(%s export) fields = %q, want %q; unmapped %q", tt.module, got, tt.want, r.Unmapped)
			}
			if len(r.Missing) != 0 {
				t.Errorf("Map(%s export) misses required %q", tt.module, r.Missing)
			}
		})
	}
}
