package steps

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/outcome"
)

// writeErrorFile writes the import's error file: every row that was not
// imported, with row, column, value and reason. It gathers the rows split
// could not give to a user and every user's row outcomes, and reports how
// many rows it lists.
func (f *Finalize) writeErrorFile(ctx context.Context, s State) (string, int, error) {
	// Only rows not imported are kept, and they are sorted by row before
	// writing: outcomes come per user and in record order, and a tenant
	// fixing the file goes through it top to bottom.
	var failed []outcome.Row
	write := func(r outcome.Row) error {
		switch r.Status {
		case outcome.Error, outcome.Skipped, outcome.Conflict:
			failed = append(failed, r)
		}
		return nil
	}

	err := eachLine(ctx, f.Files, s.work().Unassigned(), func(r crm.Row) error {
		return write(unassignedOutcome(r))
	})
	if err != nil {
		return "", 0, err
	}
	for _, u := range s.allUsers() {
		err := eachLine(ctx, f.Files, s.work().Outcomes(u.ID), write)
		if err != nil {
			return "", 0, err
		}
	}
	if len(failed) == 0 {
		return "", 0, nil
	}
	// Deleted records that could not be deleted have no row: they go last.
	slices.SortStableFunc(failed, func(a, b outcome.Row) int {
		return cmp.Compare(rowOrder(a.Row), rowOrder(b.Row))
	})
	key := s.work().ErrorFile()
	err = uploadFile(ctx, f.Files, "", key, crm.CSV, func(w io.Writer) error {
		csv := outcome.NewErrorCSV(w)
		for _, r := range failed {
			if err := csv.Write(r); err != nil {
				return err
			}
		}
		return csv.Flush()
	})
	if err != nil {
		return "", 0, fmt.Errorf("error file of %s: %w", s.ImportID, err)
	}
	return key, len(failed), nil
}

func rowOrder(row int) int {
	if row == 0 {
		return math.MaxInt
	}
	return row
}

// eachLine calls each for every JSON line of a work file; a file that does
// not exist has no lines.
func eachLine[T any](ctx context.Context, files crm.Files, key string, each func(T) error) error {
	body, err := files.Open(ctx, key)
	if crm.KindOf(err) == crm.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	defer body.Close()
	if err := crm.ReadLines(body, each); err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	return nil
}

// unassignedOutcome is the outcome of a row split gave to no user.
func unassignedOutcome(r crm.Row) outcome.Row {
	if len(r.Errors) > 0 {
		return outcome.Row{Row: r.Number, Status: outcome.Error, Errors: r.Errors}
	}
	reason := fmt.Sprintf("no user of your CRM matches %q: the row was not imported", r.Assignee)
	if r.Assignee == "" {
		reason = "the row names no sales agent: it was not imported"
	}
	return outcome.Row{Row: r.Number, Status: outcome.Skipped, Key: r.Assignee, Reason: reason}
}
