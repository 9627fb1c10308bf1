package crm

import "testing"

func TestParseKey(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		want    Upload
		wantErr bool
	}{
		{"tenant entity and file", "incoming/acme/customers/march.csv", Upload{"acme", "customers", "march.csv"}, false},
		{"entity is lower-cased", "incoming/acme/Customers/march.csv", Upload{"acme", "customers", "march.csv"}, false},
		{"nested folders keep the base name", "incoming/acme/deals/2026/11/sync.xlsx", Upload{"acme", "deals", "sync.xlsx"}, false},
		{"outside incoming is refused", "work/acme/customers/x.csv", Upload{}, true},
		{"missing file is refused", "incoming/acme/customers/", Upload{}, true},
		{"missing entity is refused", "incoming/acme/x.csv", Upload{}, true},
		{"tenant with a slash trick is refused", "incoming/../customers/x.csv", Upload{}, true},
		{"upper-case tenant is refused", "incoming/ACME/customers/x.csv", Upload{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.key)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseKey(%q) error = %v, wantErr %v", tt.key, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseKey(%q) = %+v, want %+v", tt.key, got, tt.want)
			}
		})
	}
}

func TestIDIsStablePerObjectVersion(t *testing.T) {
	a := ImportID("b", "incoming/acme/customers/x.csv", "v1", `"etag"`)
	if again := ImportID("b", "incoming/acme/customers/x.csv", "v1", `"etag"`); again != a {
		t.Errorf("ID of the same object version = %s then %s, want equal", a, again)
	}
	if other := ImportID("b", "incoming/acme/customers/x.csv", "v2", `"etag"`); other == a {
		t.Errorf("ID of a new version = %s, want different from %s", other, a)
	}
	if quoted, bare := ImportID("b", "k", "", `"e1"`), ImportID("b", "k", "null", "e1"); quoted != bare {
		t.Errorf("ID with quoted ETag = %s, with bare ETag and null version = %s, want equal", quoted, bare)
	}
	if len(a) > 80 {
		t.Errorf("ID length = %d, want <= 80 (Step Functions execution name limit)", len(a))
	}
}
