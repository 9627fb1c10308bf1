package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crmimport/crm-import/internal/apiclient"
)

// profile is what crmimport keeps of one API between runs, in the config
// file: where the API is, the user pool that signs its users in, and the
// tokens of the last login.
type profile struct {
	APIURL  string            `json:"apiUrl,omitempty"`
	Cognito apiclient.Cognito `json:"cognito"`
	User    string            `json:"user,omitempty"`
	Tokens  *apiclient.Tokens `json:"tokens,omitempty"`
	// Previewed is, per import id, the user whose preview crmimport
	// showed last: decide names them, so a decision sent twice cannot
	// decide on a user whose preview nobody saw.
	Previewed map[string]previewed `json:"previewed,omitempty"`
}

// previewed is the user of the preview shown last of one import.
type previewed struct {
	User string    `json:"user"`
	At   time.Time `json:"at"`
}

// maxPreviewed bounds the imports whose previewed user the config file
// keeps: the newest ones.
const maxPreviewed = 50

// configFile is $XDG_CONFIG_HOME/crmimport/config.json (os.UserConfigDir):
// profiles by name, "default" unless --profile or CRMIMPORT_PROFILE says.
type configFile struct {
	Profiles map[string]profile `json:"profiles"`
}

// globals are the flags every client command shares.
type globals struct {
	apiURL  string
	profile string
	json    bool
}

// settings are a command's resolved settings and where they are kept.
type settings struct {
	profile
	name string // the profile's name
	path string // the config file
}

// Environment variables, as the aws CLI and gh read theirs. The local
// cloud's .localcloud/env names (API_URL, USER_POOL_CLIENT_ID,
// USER_POOL_ID, AWS_REGION) are read after them, so `source
// .localcloud/env` is all a login there needs.
var envNames = struct{ apiURL, clientID, poolID, region, profile []string }{
	apiURL:   []string{"CRMIMPORT_API_URL", "API_URL"},
	clientID: []string{"CRMIMPORT_CLIENT_ID", "USER_POOL_CLIENT_ID"},
	poolID:   []string{"CRMIMPORT_USER_POOL_ID", "USER_POOL_ID"},
	region:   []string{"CRMIMPORT_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"},
	profile:  []string{"CRMIMPORT_PROFILE"},
}

func env(names []string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// configPath is where the config file is.
func configPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no directory for crmimport's settings: %w", err)
	}
	return filepath.Join(dir, "crmimport", "config.json"), nil
}

// loadSettings resolves the settings: flags first, then the environment,
// then the profile of the config file.
func loadSettings(g globals) (settings, error) {
	s := settings{name: first(g.profile, env(envNames.profile), "default")}
	path, err := configPath()
	if err != nil {
		return s, err
	}
	s.path = path
	file, err := readConfigFile(path)
	if err != nil {
		return s, err
	}
	s.profile = file.Profiles[s.name]
	s.APIURL = strings.TrimRight(first(g.apiURL, env(envNames.apiURL), s.APIURL), "/")
	s.Cognito.ClientID = first(env(envNames.clientID), s.Cognito.ClientID)
	s.Cognito.UserPoolID = first(env(envNames.poolID), s.Cognito.UserPoolID)
	s.Cognito.Region = first(os.Getenv("CRMIMPORT_REGION"), s.Cognito.Region, env(envNames.region), regionOfPool(s.Cognito.UserPoolID))
	return s, nil
}

// regionOfPool reads the region a pool id starts with (eu-central-1_AbC).
func regionOfPool(pool string) string {
	region, _, ok := strings.Cut(pool, "_")
	if !ok {
		return ""
	}
	return region
}

func readConfigFile(path string) (configFile, error) {
	var f configFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return configFile{Profiles: map[string]profile{}}, nil
	}
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("%s is not valid JSON: %w", path, err)
	}
	if f.Profiles == nil {
		f.Profiles = map[string]profile{}
	}
	return f, nil
}

// save writes the profile to the config file, the other profiles as they
// are. The file holds tokens: only its owner may read it (0600).
func (s settings) save() error {
	file, err := readConfigFile(s.path)
	if err != nil {
		return err
	}
	// rememberPreview alone changes what was previewed: a token renewed
	// by a command that then shows a preview must not undo it.
	s.Previewed = file.Profiles[s.name].Previewed
	file.Profiles[s.name] = s.profile
	return writeConfigFile(s.path, file)
}

// rememberPreview records user as the one whose preview of import id was
// shown last. It changes only that in the file, as it is now: a token
// renewed during the command has been saved there since s was read.
func (s settings) rememberPreview(id, user string) error {
	file, err := readConfigFile(s.path)
	if err != nil {
		return err
	}
	p := file.Profiles[s.name]
	if p.Previewed == nil {
		p.Previewed = map[string]previewed{}
	}
	p.Previewed[id] = previewed{User: user, At: time.Now().UTC()}
	for len(p.Previewed) > maxPreviewed {
		oldest := id
		for k, v := range p.Previewed {
			if v.At.Before(p.Previewed[oldest].At) {
				oldest = k
			}
		}
		delete(p.Previewed, oldest)
	}
	file.Profiles[s.name] = p
	return writeConfigFile(s.path, file)
}

func writeConfigFile(path string, file configFile) error {
	data, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
