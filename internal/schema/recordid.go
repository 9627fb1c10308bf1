package schema

// RecordID is the field of the record's own id, as an export of ours
// writes it in its first column, titled RecordIDTitle in every language
// (portatour's "ID portatour"): such a file, edited and uploaded again, is
// matched on it (package preset). It is never stored as a field: the id is
// the record's key.
const (
	RecordID      = "crm_id"
	RecordIDTitle = "ID crm-import"
)

func recordIDField() Field {
	return Field{Name: RecordID, Type: Text, Example: "7KQ2M4ZC5W", Titles: Titles{
		EN: {RecordIDTitle, "crm-import ID"},
	}}
}

// Every entity of records can be exported and imported back; the user
// directory is keyed by e-mail.
func init() {
	for _, e := range registry {
		if e != &Users {
			e.Fields = append(e.Fields, recordIDField())
		}
	}
}
