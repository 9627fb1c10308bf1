package steps

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/crmimport/crm-import/internal/assign"
	"github.com/crmimport/crm-import/internal/check"
	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/crm"
	"github.com/crmimport/crm-import/internal/mapping"
	"github.com/crmimport/crm-import/internal/sheet"
)

// Validate reads the upload, maps and validates every row, and writes them
// as JSON lines for the split step. Bad rows are kept, with their errors, so
// that every row of the file ends in the job's log.
type Validate struct {
	Files   crm.Files
	Jobs    crm.Jobs
	Tenants crm.Tenants
	Limits  crm.Limits
	// Leases hold the import's slot among the tenant's running imports,
	// from validate to finalize, except while an attended import waits
	// for the tenant (wait.go gives it up, the wizard's step takes it
	// back).
	Leases crm.Leases
	TmpDir string // "" = os.TempDir(); the Lambda's ephemeral storage
	Log    *slog.Logger
}

// countPastLimit is how far past the row limit validate keeps counting.
const countPastLimit = 10

// ConfigMetadata is the upload's metadata entry (x-amz-meta-config) naming
// the saved import configuration to use.
const ConfigMetadata = "config"

// Handle is the validate step.
func (v *Validate) Handle(ctx context.Context, s State) (State, error) {
	log := s.Logger(v.Log, "validate")
	profile, err := v.Tenants.Profile(ctx, s.Tenant)
	if err != nil {
		return s, err
	}
	if profile.SyncedFrom != "" {
		return s, crm.Errorf(crm.Refused,
			"your CRM data is synchronised from %s, so it cannot be imported here: the next synchronisation would overwrite the import; import in %s instead",
			profile.SyncedFrom, profile.SyncedFrom)
	}
	limits := profile.Limits(v.Limits)
	// One tenant's imports run a few at a time: the others wait RECEIVED,
	// without holding a Lambda, until one of them ends.
	if err := takeSlot(ctx, log, v.Leases, v.Jobs, s.Tenant, s.ImportID, limits.MaxRunningImports); err != nil {
		return s, err
	}
	if err := v.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Status: crm.Validating}); err != nil {
		return s, err
	}
	maxRows := limits.MaxRows

	// The size and the configuration the upload names come from its
	// metadata: an oversized file is refused before a byte of it is read.
	info, err := v.Files.Stat(ctx, s.upload())
	if err != nil {
		return s, err
	}
	if err := CheckSize(info.Size, limits.MaxUploadBytes); err != nil {
		return s, err
	}
	cfg, err := v.config(ctx, s, info.Metadata)
	if err != nil {
		return s, err
	}

	dir, err := os.MkdirTemp(v.TmpDir, "validate-")
	if err != nil {
		return s, fmt.Errorf("validate %s: %w", s.ImportID, err)
	}
	defer os.RemoveAll(dir)

	upload := filepath.Join(dir, localName(s.Key))
	if err := v.Files.Download(ctx, s.upload(), upload); err != nil {
		return s, err
	}
	var (
		report          *check.Report
		rows, oversized int
	)
	err = uploadFile(ctx, v.Files, dir, s.work().Records(), crm.JSONLines, func(w io.Writer) error {
		records := crm.NewLineWriter[crm.Row](w)
		var err error
		report, err = check.Run(ctx, upload, check.Options{Entity: s.Entity, Config: cfg, Sheet: sheet.Options{TmpDir: dir}}, func(r crm.Row) error {
			rows++
			if rows <= maxRows {
				if e, ok := tooLarge(r); ok {
					if len(r.Errors) == 0 {
						oversized++
					}
					r.Errors = append(r.Errors, e)
				}
				return records.Write(r)
			}
			// Over the limit nothing more is kept, but the tenant is told how
			// many rows the file has, up to a point: reading a 10-million-row
			// file to the end only to refuse it would waste their time.
			if rows > countPastLimit*maxRows {
				return crm.Errorf(crm.Refused,
					"the file has more than %d rows; one import may hold at most %d rows: split the file", rows-1, maxRows)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := assign.CheckRows(rows, maxRows); err != nil {
			return err
		}
		return records.Flush()
	})
	if err != nil {
		return s, err
	}
	if err := putJSON(ctx, v.Files, s.work().Report(), report); err != nil {
		return s, err
	}
	if err := putJSON(ctx, v.Files, s.work().Config(), inForce(report.Config, report)); err != nil {
		return s, err
	}
	s.Rows, s.Invalid = report.Rows, report.RowsWithErrors+oversized
	if s.Rows == 0 {
		return s, crm.Errorf(crm.Invalid, "the file has column titles but no rows to import")
	}
	if err := v.Jobs.Update(ctx, s.Tenant, s.ImportID, crm.JobChange{Counts: &crm.Counts{Rows: s.Rows, Invalid: s.Invalid}}); err != nil {
		return s, err
	}
	log.Info("file validated", "format", report.File.Format, "encoding", report.File.Encoding,
		"rows", s.Rows, "invalid", s.Invalid, "unmapped", len(report.Unmapped))
	return s, nil
}

// config returns the import configuration the tenant chose: the one the
// API recorded on the job (a saved one by name, or the one sent inline,
// kept with the work files), else the saved one the upload's metadata
// names (a drop), else nil: the entity's defaults, or a preset.
func (v *Validate) config(ctx context.Context, s State, meta map[string]string) (*config.Config, error) {
	job, err := v.Jobs.Get(ctx, s.Tenant, s.ImportID)
	if err != nil {
		return nil, err
	}
	if job.InlineConfig {
		return v.inlineConfig(ctx, s)
	}
	name := job.Config
	if name == "" {
		name = meta[ConfigMetadata]
	}
	if name == "" {
		// None chosen: the check reads the file with the entity's defaults,
		// or the preset of another CRM's export it recognises. The entity
		// comes from the folder the file was uploaded to: an unknown one is
		// the tenant's mistake, and the check says so.
		return nil, nil
	}
	raw, err := v.Tenants.Config(ctx, s.Tenant, name)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, crm.Wrap(err, crm.Invalid, "saved configuration %q: %s", name, crm.Message(err))
	}
	if cfg.Entity != s.Entity {
		return nil, crm.Errorf(crm.Invalid, "saved configuration %q imports %s, but the file was uploaded as %s", name, cfg.Entity, s.Entity)
	}
	return cfg, nil
}

// inlineConfig reads the configuration the tenant sent with POST /imports,
// which the API checked and wrote with the import's work files.
func (v *Validate) inlineConfig(ctx context.Context, s State) (*config.Config, error) {
	raw, err := readConfigFile(ctx, v.Files, s.work().Inline())
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, crm.Wrap(err, crm.Invalid, "the configuration sent with the import: %s", crm.Message(err))
	}
	if cfg.Entity != s.Entity {
		return nil, crm.Errorf(crm.Invalid, "the configuration sent with the import imports %s, but the file was uploaded as %s", cfg.Entity, s.Entity)
	}
	return cfg, nil
}

// localName is the upload's name on local disk: fixed, so that no name a
// tenant gives a file can clash with the step's own files, climb out of the
// directory ("..") or pass the file system's length limit. Only a sanitised
// extension is kept: sheet.Open tells workbooks from text by their content,
// but a damaged ".xlsx" is refused as a broken workbook, rather than read
// as text, only when its name says what it was meant to be.
func localName(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if len(ext) < 2 || len(ext) > 8 || strings.Trim(ext[1:], "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return "upload"
	}
	return "upload" + ext
}

// CheckSize refuses a file of size bytes over the limit, both in MB: the
// validate step for the file that arrived, the API for the size a tenant
// declares before uploading, in the same words.
func CheckSize(size, limit int64) error {
	if size <= limit {
		return nil
	}
	a, b := inMB(size, limit)
	return crm.Errorf(crm.Refused,
		"the file is %s; one import may be at most %s: split the file, or leave out the columns that are not imported", a, b)
}

// inMB writes a file's size and the limit it is over in MB (of 1,048,576
// bytes, as spreadsheet programs and file managers count them), with as
// many decimals as it takes to tell the two apart.
func inMB(size, limit int64) (string, string) {
	const mb = 1 << 20
	var a, b string
	for d := 0; d <= 6; d++ {
		a = strconv.FormatFloat(float64(size)/mb, 'f', d, 64)
		b = strconv.FormatFloat(float64(limit)/mb, 'f', d, 64)
		if a != b && strings.Trim(b, "0.") != "" {
			break
		}
	}
	return a + " MB", b + " MB"
}

// inForce is the configuration as this file was read: cfg with its mapping
// replaced by the file's, column title -> field (or "ignore"), as the
// automatic mapping and cfg's overrides made it. Later steps then name a
// column as this file titles it (preview, for a missing required field),
// and the configuration kept with the import reads the next file of the
// same layout the same way. Overrides no column matched had no force here
// and are left out, so each field has one title.
func inForce(cfg *config.Config, report *check.Report) *config.Config {
	out := *cfg
	out.Mapping = nil
	for _, c := range report.Mapping {
		field := c.Field
		if c.How == mapping.Ignored {
			field = mapping.Ignore
		}
		if field == "" || strings.TrimSpace(c.Title) == "" {
			continue
		}
		if out.Mapping == nil {
			out.Mapping = map[string]string{}
		}
		out.Mapping[c.Title] = field
	}
	return &out
}

// maxRecordBytes keeps a record under DynamoDB's 400 KB item limit, with
// room for the keys, version and bookkeeping attributes apply adds.
const maxRecordBytes = 350 << 10

// tooLarge reports a row whose values would not fit in one record. Cells
// are capped one by one when read; many long cells together can still be
// more than a record holds, and DynamoDB would refuse the whole batch.
func tooLarge(r crm.Row) (crm.RowError, bool) {
	size, longest, longestLen := 0, "", 0
	for field, v := range r.Fields {
		size += len(field) + len(v)
		if len(v) > longestLen {
			longest, longestLen = field, len(v)
		}
	}
	if size <= maxRecordBytes {
		return crm.RowError{}, false
	}
	return crm.RowError{
		Row:    r.Number,
		Field:  longest,
		Reason: fmt.Sprintf("the row holds %d KB of text, more than one record can hold (%d KB): shorten its longest cells, such as the %s", size>>10, maxRecordBytes>>10, longest),
	}, true
}
