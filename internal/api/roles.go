package api

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// GroupsClaim is the token's claim that lists the user pool groups of the
// caller: its roles.
const GroupsClaim = "cognito:groups"

// The roles of portatour, as the user pool's groups name them.
const (
	Administrator = "administrator"
	Supervisor    = "supervisor"
	User          = "user"
)

// rolesOf reads the caller's roles from the verified token's claims. API
// Gateway passes a list claim as a string, "[administrator supervisor]";
// a JSON array, `["administrator","supervisor"]`, is read as well, so the
// answer does not hang on how the gateway writes it.
func rolesOf(req events.APIGatewayV2HTTPRequest) []string {
	a := req.RequestContext.Authorizer
	if a == nil || a.JWT == nil {
		return nil
	}
	claim := strings.TrimSpace(a.JWT.Claims[GroupsClaim])
	var roles []string
	if err := json.Unmarshal([]byte(claim), &roles); err == nil {
		return roles
	}
	return strings.Fields(strings.Trim(claim, "[]"))
}

// hasRole tells whether the caller has one of the roles.
func hasRole(req events.APIGatewayV2HTTPRequest, roles ...string) bool {
	return slices.ContainsFunc(rolesOf(req), func(r string) bool { return slices.Contains(roles, r) })
}
