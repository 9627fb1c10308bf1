package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/crmimport/crm-import/internal/config"
)

// readConfigArg reads the --config-file of upload and resume,, checked here
// as `check --config` checks it, before anything is sent: a file that is
// not JSON, or not a configuration, is named with its problem in words,
// not left to the JSON encoder's or the API's messages.
func readConfigArg(path string) ([]byte, *config.Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, &exitError{code: ExitFailure, err: fmt.Errorf("there is no configuration file %s", path)}
	}
	if err != nil {
		return nil, nil, &exitError{code: ExitFailure, err: fmt.Errorf("the configuration file %s cannot be read: %w", path, err)}
	}
	if !json.Valid(data) {
		return nil, nil, &exitError{code: ExitFailure, err: fmt.Errorf("the configuration file %s is not valid JSON: %s", path, jsonSyntaxProblem(data))}
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return nil, nil, &exitError{code: ExitFailure, err: fmt.Errorf("the configuration file %s: %w", path, err)}
	}
	return data, cfg, nil
}

// jsonSyntaxProblem says where data stops being JSON, by line and
// column, as an editor shows them.
func jsonSyntaxProblem(data []byte) string {
	if len(bytes.TrimSpace(data)) == 0 {
		return "it is empty"
	}
	var v any
	err := json.Unmarshal(data, &v)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return "it holds more than one JSON value"
	}
	if int(syntax.Offset) >= len(data) {
		line, _ := lineColumn(data, len(bytes.TrimRight(data, " \t\r\n")))
		return fmt.Sprintf("it ends at line %d before what it opened is closed (a missing } or ], or a cut-off file)", line)
	}
	line, col := lineColumn(data, int(syntax.Offset))
	return fmt.Sprintf("line %d, column %d: %v", line, col, syntax)
}

// lineColumn is the line and column (from 1) of the byte before offset,
// where the JSON decoder stopped.
func lineColumn(data []byte, offset int) (line, col int) {
	line, col = 1, 0
	for _, b := range data[:max(offset, 1)] {
		if b == '\n' {
			line, col = line+1, 0
			continue
		}
		col++
	}
	return line, max(col, 1)
}
