// Package tenant holds what the pipeline knows of a tenant: its users (the
// sales agents rows are assigned to) and its import settings.
package tenant

// User is a user of the tenant's CRM, to whom rows are assigned.
type User struct {
	ID             string `json:"id" dynamodbav:"id"`
	Email          string `json:"email" dynamodbav:"email"`
	EmployeeNumber string `json:"employeeNumber,omitempty" dynamodbav:"employee_number,omitempty"`
	Name           string `json:"name,omitempty" dynamodbav:"name,omitempty"`
}

// Default limits of one import: portatour's numbers.
const (
	DefaultMaxRows  = 100000
	DefaultMaxUsers = 100
)

// Profile is a tenant's import settings.
type Profile struct {
	// MaxRows and MaxUsers override the stack's defaults when above zero.
	MaxRows  int `json:"maxRows,omitempty" dynamodbav:"max_rows,omitempty"`
	MaxUsers int `json:"maxUsers,omitempty" dynamodbav:"max_users,omitempty"`
	// SyncedFrom names the system (Salesforce, Dynamics) the tenant's CRM data
	// is synchronised from. Such tenants cannot import: the next sync would
	// overwrite whatever the import wrote.
	SyncedFrom string `json:"syncedFrom,omitempty" dynamodbav:"synced_from,omitempty"`
}

// Limits returns the limits in force for the tenant, given the stack's defaults.
func (p Profile) Limits(defaultRows, defaultUsers int) (rows, users int) {
	rows, users = defaultRows, defaultUsers
	if p.MaxRows > 0 {
		rows = p.MaxRows
	}
	if p.MaxUsers > 0 {
		users = p.MaxUsers
	}
	return rows, users
}
