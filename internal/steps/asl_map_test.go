package steps

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEachUserIsADistributedMapOverTheManifest: the Map over the users
// reads its items from the manifest split writes (never from the state),
// runs each user as a child execution of its own (its events out of the
// import's history), writes its results to S3 rather than into the state,
// takes its concurrency from the stack, and fails the import on any
// user's failure.
func TestEachUserIsADistributedMapOverTheManifest(t *testing.T) {
	data, err := os.ReadFile("../../statemachine/import.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		States map[string]json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal(data, &def); err != nil {
		t.Fatal(err)
	}
	var each struct {
		ItemsPath  *string `json:"ItemsPath"`
		ItemReader struct {
			Resource     string `json:"Resource"`
			ReaderConfig struct {
				InputType string `json:"InputType"`
			} `json:"ReaderConfig"`
			Parameters map[string]string `json:"Parameters"`
		} `json:"ItemReader"`
		ItemSelector  map[string]string `json:"ItemSelector"`
		ItemProcessor struct {
			ProcessorConfig struct {
				Mode          string `json:"Mode"`
				ExecutionType string `json:"ExecutionType"`
			} `json:"ProcessorConfig"`
			StartAt string                     `json:"StartAt"`
			States  map[string]json.RawMessage `json:"States"`
		} `json:"ItemProcessor"`
		MaxConcurrency             *int     `json:"MaxConcurrency"`
		MaxConcurrencyPath         string   `json:"MaxConcurrencyPath"`
		ToleratedFailureCount      *int     `json:"ToleratedFailureCount"`
		ToleratedFailurePercentage *float64 `json:"ToleratedFailurePercentage"`
		ResultWriter               struct {
			Resource   string            `json:"Resource"`
			Parameters map[string]string `json:"Parameters"`
		} `json:"ResultWriter"`
		ResultPath string `json:"ResultPath"`
		Catch      []struct {
			ErrorEquals []string `json:"ErrorEquals"`
			Next        string   `json:"Next"`
		} `json:"Catch"`
	}
	if err := json.Unmarshal(def.States["EachUser"], &each); err != nil {
		t.Fatalf("EachUser: %v", err)
	}
	var before struct {
		Parameters map[string]string `json:"Parameters"`
		ResultPath string            `json:"ResultPath"`
		Next       string            `json:"Next"`
	}
	if err := json.Unmarshal(def.States["MapConcurrency"], &before); err != nil {
		t.Fatalf("MapConcurrency: %v", err)
	}

	checks := []struct {
		what      string
		got, want any
	}{
		{"processor mode", each.ItemProcessor.ProcessorConfig.Mode, "DISTRIBUTED"},
		{"child execution type", each.ItemProcessor.ProcessorConfig.ExecutionType, "STANDARD"},
		{"no ItemsPath (items are not in the state)", each.ItemsPath == nil, true},
		{"ItemReader resource", each.ItemReader.Resource, "arn:aws:states:::s3:getObject"},
		{"ItemReader input type", each.ItemReader.ReaderConfig.InputType, "JSON"},
		{"ItemReader bucket", each.ItemReader.Parameters["Bucket"], "${BucketName}"},
		{"ItemReader key (State.Map.Key)", each.ItemReader.Parameters["Key.$"], "$.map.key"},
		{"item selector", each.ItemSelector, map[string]string{"importId.$": "$.importId", "tenant.$": "$.tenant", "user.$": "$$.Map.Item.Value"}},
		{"the item processor still starts with Preview", each.ItemProcessor.StartAt, "Preview"},
		{"no fixed MaxConcurrency", each.MaxConcurrency == nil, true},
		{"MaxConcurrencyPath (State.MapRun.MaxConcurrency)", each.MaxConcurrencyPath, "$.mapRun.maxConcurrency"},
		{"the state before sets it from the stack", before.Parameters["maxConcurrency.$"], "States.StringToJson('${MapConcurrency}')"},
		{"the state before writes it where the Map reads it", before.ResultPath, "$.mapRun"},
		{"the state before goes to the Map", before.Next, "EachUser"},
		{"no failure tolerated", each.ToleratedFailureCount == nil && each.ToleratedFailurePercentage == nil, true},
		{"ResultWriter resource", each.ResultWriter.Resource, "arn:aws:states:::s3:putObject"},
		{"ResultWriter prefix (lifecycle-expired)", each.ResultWriter.Parameters["Prefix"], "map-results"},
		{"the Map's output in the state (only where it wrote)", each.ResultPath, "$.mapRun"},
		{"a failed Map is caught", len(each.Catch) == 1 && each.Catch[0].ErrorEquals[0] == "States.ALL" && each.Catch[0].Next == "RecordFailure", true},
	}
	for _, c := range checks {
		got, _ := json.Marshal(c.got)
		want, _ := json.Marshal(c.want)
		if string(got) != string(want) {
			t.Errorf("EachUser %s = %s, want %s", c.what, got, want)
		}
	}
	for _, name := range []string{"Preview", "Apply"} {
		if _, ok := each.ItemProcessor.States[name]; !ok {
			t.Errorf("EachUser's item processor has no state %s", name)
		}
	}
}

// TestEverySubstitutionOfTheWorkflowIsGivenByTheTemplate: deploy.py and
// CloudFormation fill in ${Name} from the state machine's
// DefinitionSubstitutions; one left out would reach Step Functions as
// text.
func TestEverySubstitutionOfTheWorkflowIsGivenByTheTemplate(t *testing.T) {
	data, err := os.ReadFile("../../statemachine/import.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The import state machine's substitutions, up to its Policies.
	text := string(tmpl)
	start := strings.Index(text, "DefinitionUri: statemachine/import.asl.json")
	end := strings.Index(text[max(start, 0):], "Policies:")
	if start < 0 || end < 0 {
		t.Fatalf("template.yaml has no import state machine with DefinitionSubstitutions and Policies")
	}
	subs := text[start : start+end]
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`).FindAllStringSubmatch(string(data), -1) {
		if !strings.Contains(subs, "\n        "+m[1]+": ") {
			t.Errorf("import.asl.json uses ${%s}, which the template's DefinitionSubstitutions do not give", m[1])
		}
	}
	if !strings.Contains(text, "\n  MapConcurrency:\n    Type: Number") {
		t.Errorf("template.yaml has no MapConcurrency parameter")
	}
}
