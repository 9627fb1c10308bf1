package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/crmimport/crm-import/internal/crm"
)

// Files is where steps read uploads and keep their work files.
type Files interface {
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Download(ctx context.Context, key, path string) error
	Metadata(ctx context.Context, key string) (map[string]string, error)
	PutFile(ctx context.Context, key, path, contentType string) error
	Put(ctx context.Context, key string, data []byte, contentType string) error
}

// readJSON reads a small work file written by putJSON.
func readJSON(ctx context.Context, files Files, key string, v any) error {
	body, err := files.Open(ctx, key)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	return nil
}

// putJSON writes a small work file: a report, a preview, a result.
func putJSON(ctx context.Context, files Files, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", key, err)
	}
	return files.Put(ctx, key, data, "application/json")
}

// planErrors carries a row's validation errors into the plan and the row log.
func planErrors(errs []crm.RowError) []crm.RowError {
	var out []crm.RowError
	for _, e := range errs {
		out = append(out, crm.RowError{Column: e.Column, Value: e.Value, Reason: e.Reason})
	}
	return out
}
