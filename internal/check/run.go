package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/crmimport/crm-import/internal/preset"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/config"
	"github.com/crmimport/crm-import/internal/schema"
	"github.com/crmimport/crm-import/internal/sheet"
)

// Run checks the file at path and calls each with every data row, in
// order, valid or not. It streams: whatever the file's size, it holds a few
// batches of rows at a time (see RunReader). An error from each stops
// the run and is returned as it is. A file that cannot be imported at all
// is crm.Invalid, its message in the tenant's words; so is a bad
// configuration, which opts.Configuration finds before any file is read.
func Run(ctx context.Context, path string, opts Options, each func(crm.Row) error) (*Report, error) {
	cfg, err := opts.Configuration()
	if err != nil {
		return nil, err
	}
	so := opts.Sheet
	if so.Encoding == "" {
		so.Encoding = cfg.Encoding
	}
	if so.Delimiter == "" {
		so.Delimiter = cfg.Delimiter
	}
	if so.Sheet == "" {
		so.Sheet = cfg.Sheet
	}
	if so.Locale == "" {
		so.Locale = cfg.Locale // tells a Polish windows-1250 file from a Western one
	}
	r, err := sheet.Open(path, so)
	if err != nil {
		var se *sheet.Error
		if errors.As(err, &se) {
			return nil, refusal(err, se)
		}
		// No file at path, or one that may not be read, says nothing about
		// the file's content: the caller named the wrong path. The
		// *fs.PathError names it once.
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			return nil, pe
		}
		return nil, crm.Wrap(err, crm.Invalid, "the file cannot be read: %v", err)
	}
	defer r.Close()
	if opts.FileName == "" {
		opts.FileName = path
	}
	return RunReader(ctx, r, opts, each)
}

// Configuration returns the configuration a check with o runs with:
// o.Config, or the default one of o.Entity, with o.Locale in force. An
// entity o.Config is not for, or a locale nobody knows, is crm.Invalid.
func (o Options) Configuration() (*config.Config, error) {
	cfg, err := o.entityConfig()
	if err != nil || o.Locale == "" || o.Locale == cfg.Locale {
		return cfg, err
	}
	withLocale := *cfg
	withLocale.Locale = o.Locale
	if err := withLocale.Validate(); err != nil {
		return nil, err
	}
	return &withLocale, nil
}

func (o Options) entityConfig() (*config.Config, error) {
	if o.Config == nil {
		if o.Entity == "" {
			return nil, errors.New("check: no entity and no configuration given")
		}
		return config.Default(o.Entity)
	}
	if o.Entity != "" {
		e, err := schema.Lookup(o.Entity)
		if err != nil {
			return nil, err
		}
		if e.Name != o.Config.Entity {
			return nil, crm.Errorf(crm.Invalid, "the configuration is for %s, not %s", o.Config.Entity, e.Name)
		}
	}
	return o.Config, nil
}

// RunReader is Run over an open reader. The reader must hand out a fresh
// Row from every Next (the sheet readers do): rows are validated in batches
// on all CPUs while the next ones are read, and handed to each in order.
func RunReader(ctx context.Context, r sheet.Reader, opts Options, each func(crm.Row) error) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg, err := opts.Configuration()
	if err != nil {
		return nil, err
	}
	// A file another CRM exported, imported with no configuration chosen,
	// is imported as that export needs (its record id as the key).
	var recognised *preset.Preset
	if opts.Config == nil {
		if recognised, err = preset.Detect(cfg, opts.FileName, r.Header()); err != nil {
			return nil, err
		}
		if recognised != nil {
			cfg = recognised.Config
		}
	}
	// Without a locale named anywhere, the titles' language suggests one.
	named := opts.Locale != "" || cfg.Locale != config.DefaultLocale
	var titleLang schema.Lang
	if opts.Locale == "" && !cfg.LocaleNamed() {
		if e, err := cfg.Schema(); err == nil {
			if loc, lang := localeOfTitles(e, r.Header()); loc != "" {
				withLocale := *cfg
				withLocale.Locale, titleLang = loc, lang
				cfg = &withLocale
			}
		}
	}
	c, err := newChecker(cfg, r.Header(), opts.MaxErrors)
	if err != nil {
		return nil, err
	}
	c.report.Config = cfg
	c.report.LocaleFromTitles = string(titleLang)
	if p := recognised; p != nil {
		c.report.Preset = p.String()
		if p.Entity != cfg.Entity {
			c.warn("a %s export of %s is usually imported as %s; this file is imported as %s", p.Source, p.Module, p.Entity, cfg.Entity)
		}
	}
	c.report.File = fileOf(r.Info())
	r = c.learn(r, named)

	ctx, cancel := context.WithCancel(ctx)
	p := c.start(ctx, r)
	// stop ends the pipeline; the reader is not touched after it returns.
	stop := func() { cancel(); p.wait() }
	defer stop()

	for b := range p.inOrder {
		select {
		case <-b.done:
		case <-ctx.Done():
			stop()
			return nil, ctx.Err()
		}
		for _, it := range b.items {
			rec := it.rec
			if it.err != nil {
				var se *sheet.Error
				if !errors.As(it.err, &se) {
					return nil, fmt.Errorf("read row: %w", it.err)
				}
				if !se.RowOnly {
					return nil, refusal(it.err, se)
				}
				rec = record{Row: crm.Row{Number: se.Row, Fields: map[string]string{}, Errors: []crm.RowError{{Row: se.Row, Reason: se.Reason}}}}
			}
			c.count(rec)
			if err := each(rec.Row); err != nil {
				return c.report, err
			}
		}
	}
	if err := ctx.Err(); err != nil { // the reading stopped early because ctx ended
		return nil, err
	}
	c.finish()
	c.report.Warnings = append(c.report.Warnings, r.Warnings()...)
	return c.report, nil
}
