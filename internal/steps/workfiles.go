package steps

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
)

// openWork opens a work file an earlier step must have written. Its
// absence is a bug of the pipeline, not the tenant's to read about: the
// NotFound, whose message names an internal key, becomes Internal.
func openWork(ctx context.Context, files crm.Files, key string) (io.ReadCloser, error) {
	body, err := files.Open(ctx, key)
	if crm.KindOf(err) == crm.NotFound {
		return nil, crm.Wrap(err, crm.Internal, "work file %s is missing", key)
	}
	return body, err
}

// readJSON reads a small work file written by putJSON; a missing one is
// NotFound, for the callers to whom that is news (finalize: a user whose
// apply never finished).
func readJSON(ctx context.Context, files crm.Files, key string, v any) error {
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
func putJSON(ctx context.Context, files crm.Files, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", key, err)
	}
	return files.Put(ctx, key, data, crm.JSON)
}

// uploadFile writes a work file of any size through a local temporary file in
// dir, so memory stays bounded, and uploads it under key once write has
// succeeded. Nothing is uploaded when write fails.
func uploadFile(ctx context.Context, files crm.Files, dir, key, contentType string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 64<<10)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", key, cerr)
	}
	if err != nil {
		return err
	}
	return files.PutFile(ctx, key, f.Name(), contentType)
}

// ReadConfig reads back the import configuration in force, as the steps
// do: for the API, which checks a new one against it.
func ReadConfig(ctx context.Context, files crm.Files, w crm.Work) (*config.Config, error) {
	return readConfig(ctx, files, w)
}

// readConfig reads back the import configuration validate wrote, through the
// same validation as when it was loaded: a work file is input like any other.
func readConfig(ctx context.Context, files crm.Files, w crm.Work) (*config.Config, error) {
	raw, err := readConfigFile(ctx, files, w.Config())
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		// validate wrote it from a valid configuration: this is a bug.
		return nil, crm.Wrap(err, crm.Internal, "read %s", w.Config())
	}
	return cfg, nil
}

// readConfigFile reads a configuration kept with the import's work files:
// at most 1 MiB, which no configuration comes near.
func readConfigFile(ctx context.Context, files crm.Files, key string) ([]byte, error) {
	body, err := openWork(ctx, files, key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	raw, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return nil, crm.Wrap(err, crm.Unavailable, "the import's configuration could not be read")
	}
	return raw, nil
}
