package crm

import (
	"encoding/json"
	"fmt"
	"testing"
)

// An event's summary fits EventBridge's 256 KB however many users the
// import had, and says how many it leaves out.
func TestASummaryForAnEventFitsTheBus(t *testing.T) {
	tests := []struct {
		users, listed, omitted int
	}{
		{0, 0, 0},
		{EventUsers, EventUsers, 0},
		{EventUsers + 1, EventUsers, 1},
		{10000, EventUsers, 10000 - EventUsers},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.users), func(t *testing.T) {
			s := Summary{ImportID: "imp", Tenant: "acme", Status: Succeeded, Counts: Counts{Rows: tt.users}}
			for i := range tt.users {
				s.Users = append(s.Users, UserResult{ImportID: "imp", Tenant: "acme",
					User:   UserRef{ID: fmt.Sprintf("01JD%022d", i), Email: fmt.Sprintf("sales.agent.%d@a-long-company-name.example", i), Rows: 1000},
					Counts: Counts{Rows: 1000, Created: 400, Updated: 300, Unchanged: 200, Deleted: 50, Skipped: 25, Failed: 25}})
			}
			e := s.ForEvent()
			data, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Users) != tt.listed || e.UsersOmitted != tt.omitted || len(data) > 256<<10 {
				t.Errorf("ForEvent() lists %d users, omits %d, %d bytes; want %d, %d, at most 256 KB", len(e.Users), e.UsersOmitted, len(data), tt.listed, tt.omitted)
			}
			if e.Counts != s.Counts || len(s.Users) != tt.users {
				t.Errorf("ForEvent() changed the counts or the summary's own users")
			}
		})
	}
}
