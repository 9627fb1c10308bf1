package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/crmimport/crm-import/internal/cloudtest"
)

// everyActionAllowed holds what each deployed function needed during the
// whole run against the actions its role in template.yaml allows. moto
// checks no permission, so a call a role lacks passes every test here and
// first fails on AWS. It runs after the suite (TestMain), when the tests
// have made the functions do everything they do; the resources an action
// is allowed on are not compared, only the actions.
func everyActionAllowed(c cloudtest.Cloud) error {
	roles, err := functionRoles(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		return err
	}
	used, err := c.FunctionActions()
	if err != nil {
		return err
	}
	var missing []string
	for deployed, actions := range used {
		fn, allowed := roleOf(roles, deployed)
		if fn == "" {
			continue // a test's own function (cloudtest's echo)
		}
		for _, a := range actions {
			if !slices.Contains(allowed, a) {
				missing = append(missing, fmt.Sprintf("%s calls %s, which its role does not allow", fn, a))
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("template.yaml: %s", strings.Join(missing, "; "))
	}
	return nil
}

// roleOf finds the logical id a deployed function's name contains.
func roleOf(roles map[string][]string, deployed string) (string, []string) {
	for fn, allowed := range roles {
		if strings.Contains(deployed, "-"+fn+"-") {
			return fn, allowed
		}
	}
	return "", nil
}

// functionRoles reads the actions each AWS::Serverless::Function's
// Policies statements allow.
func functionRoles(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	roles := map[string][]string{}
	for name, r := range doc.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		var props struct {
			Policies []struct {
				Statement []struct {
					Action yaml.Node `yaml:"Action"`
				} `yaml:"Statement"`
			} `yaml:"Policies"`
		}
		if err := r.Properties.Decode(&props); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, name, err)
		}
		allowed := []string{}
		for _, p := range props.Policies {
			for _, st := range p.Statement {
				var one string
				var many []string
				if st.Action.Decode(&one) == nil {
					allowed = append(allowed, one)
				} else if err := st.Action.Decode(&many); err == nil {
					allowed = append(allowed, many...)
				} else {
					return nil, fmt.Errorf("%s: %s: an Action: %w", path, name, err)
				}
			}
		}
		roles[name] = allowed
	}
	return roles, nil
}
