package api

import (
	"slices"
	"testing"
)

func TestRolesOfReadsTheGroupsClaimInBothForms(t *testing.T) {
	tests := []struct {
		name  string
		claim string // "" leaves the claim out
		want  []string
	}{
		{"API Gateway's bracketed list", "[administrator supervisor]", []string{"administrator", "supervisor"}},
		{"a bracketed list of one", "[user]", []string{"user"}},
		{"a JSON array", `["supervisor","user"]`, []string{"supervisor", "user"}},
		{"a JSON array with spaces", ` [ "administrator" ] `, []string{"administrator"}},
		{"an empty bracketed list", "[]", nil},
		{"an empty JSON array", `[]`, []string{}},
		{"no groups claim", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := tenantClaims("acme")
			if tt.claim != "" {
				claims[GroupsClaim] = tt.claim
			}
			if got := rolesOf(request("GET /configs", "/configs", nil, claims)); !slices.Equal(got, tt.want) {
				t.Errorf("rolesOf(%q) = %q, want %q", tt.claim, got, tt.want)
			}
		})
	}
}

func TestHasRoleNeedsOneOfTheRoles(t *testing.T) {
	tests := []struct {
		claim string
		want  bool
	}{
		{"[administrator]", true},
		{"[user supervisor]", true},
		{`["supervisor"]`, true},
		{"[user]", false},
		{"[administrators]", false}, // a name like a role is not the role
		{"", false},
	}
	for _, tt := range tests {
		claims := tenantClaims("acme")
		claims[GroupsClaim] = tt.claim
		if got := hasRole(request("PUT /configs/{name}", "/configs/x", nil, claims), Administrator, Supervisor); got != tt.want {
			t.Errorf("hasRole(%q, administrator, supervisor) = %v, want %v", tt.claim, got, tt.want)
		}
	}
	if hasRole(request("GET /configs", "/configs", nil, nil), User) {
		t.Errorf("hasRole(no authorizer, user) = true, want false")
	}
}
