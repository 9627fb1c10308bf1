package crm

// Work is the layout of one import's work files in the bucket, under
// work/{tenant}/{importId}/. Steps hand each other these keys, never rows,
// so Step Functions' 256 KB payload limit never matters.
//
//	inline-config.json     the configuration the tenant sent with POST /imports  api
//	records.jsonl          every row of the file, validated (Row lines)       validate
//	report.json            what the checker found: format, mapping, errors    validate
//	config.json            the import configuration in force                  validate
//	users/{user}.jsonl     each user's rows (Row lines)                       split
//	unassigned.jsonl       rows that reached no user (Row lines)              split
//	selection.json         rows per user, values that matched nobody          split
//	items.json             the Map's items: a JSON array of UserRef           split, next
//	plans/{user}.jsonl     each user's plan, one op a line                    preview
//	previews/{user}.json   the user's preview: counts and a sample            preview
//	outcomes/{user}.jsonl  every row's outcome (the row log)                  apply
//	results/{user}.json    what applying the user did (UserResult)            apply
//	errors.csv             the rows not imported, for the tenant              finalize
//	summary.json           the closing Summary                                finalize
//	undo.json              the undo run's first conflicts, with their fields  undo
type Work struct {
	Tenant   string
	ImportID string
}

// WorkPrefix is where the pipeline keeps every import's own files.
const WorkPrefix = "work/"

// Prefix is the folder of the import's files.
func (w Work) Prefix() string { return WorkPrefix + w.Tenant + "/" + w.ImportID + "/" }

func (w Work) Inline() string     { return w.Prefix() + "inline-config.json" }
func (w Work) Records() string    { return w.Prefix() + "records.jsonl" }
func (w Work) Report() string     { return w.Prefix() + "report.json" }
func (w Work) Config() string     { return w.Prefix() + "config.json" }
func (w Work) Unassigned() string { return w.Prefix() + "unassigned.jsonl" }
func (w Work) Selection() string  { return w.Prefix() + "selection.json" }
func (w Work) Items() string      { return w.Prefix() + "items.json" }
func (w Work) ErrorFile() string  { return w.Prefix() + "errors.csv" }
func (w Work) Summary() string    { return w.Prefix() + "summary.json" }
func (w Work) Duplicates() string { return w.Prefix() + "duplicates.json" }
func (w Work) Undo() string       { return w.Prefix() + "undo.json" }

func (w Work) UserRows(user string) string { return w.Prefix() + "users/" + user + ".jsonl" }
func (w Work) Plan(user string) string     { return w.Prefix() + "plans/" + user + ".jsonl" }

// LinkedPlan is the plan of the records of entity a user's rows create to
// link to (a contact's company), applied before the user's own plan.
func (w Work) LinkedPlan(user, entity string) string {
	return w.Prefix() + "plans/" + user + "." + entity + ".jsonl"
}
func (w Work) Preview(user string) string  { return w.Prefix() + "previews/" + user + ".json" }
func (w Work) Outcomes(user string) string { return w.Prefix() + "outcomes/" + user + ".jsonl" }
func (w Work) Result(user string) string   { return w.Prefix() + "results/" + user + ".json" }

// Snapshot is a user's records of the import's entity as the plan leaves
// them, cut to the fields the look for duplicates compares: finalize reads
// it instead of the records.
func (w Work) Snapshot(user string) string { return w.Prefix() + "snapshots/" + user + ".jsonl" }

// Failure is a user's step refusal, kept for the import's reason when the
// Distributed Map reports only that a child failed.
func (w Work) Failure(user string) string { return w.Prefix() + "failures/" + user + ".json" }

// Content types of work files.
const (
	JSONLines = "application/x-ndjson"
	JSON      = "application/json"
	CSV       = "text/csv; charset=utf-8"
)
