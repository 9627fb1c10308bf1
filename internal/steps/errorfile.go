package steps

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/crmimport/crm-import/internal/crm"

	"github.com/crmimport/crm-import/internal/outcome"
)

// writeErrorFile writes the import's error file: every row that was not
// imported, with row, column, value and reason. It gathers the rows split
// could not give to a user and every user's row outcomes, and reports how
// many rows it lists.
func (f *Finalize) writeErrorFile(ctx context.Context, s State) (string, int, error) {
	tmp, err := os.CreateTemp("", "errors-*.csv")
	if err != nil {
		return "", 0, fmt.Errorf("error file of %s: %w", s.ImportID, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
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

	err = f.eachLine(ctx, unassignedKey(s.Tenant, s.ImportID), func(dec *json.Decoder) error {
		var r crm.Row
		if err := dec.Decode(&r); err != nil {
			return err
		}
		return write(unassignedOutcome(r))
	})
	if err != nil {
		return "", 0, err
	}
	for _, u := range s.Users {
		err := f.eachLine(ctx, outcomesKey(s.Tenant, s.ImportID, u.ID), func(dec *json.Decoder) error {
			var r outcome.Row
			if err := dec.Decode(&r); err != nil {
				return err
			}
			return write(r)
		})
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
	csv := outcome.NewErrorCSV(tmp)
	for _, r := range failed {
		if err := csv.Write(r); err != nil {
			return "", 0, fmt.Errorf("error file of %s: %w", s.ImportID, err)
		}
	}
	if err := csv.Flush(); err != nil {
		return "", 0, fmt.Errorf("error file of %s: %w", s.ImportID, err)
	}
	key := errorFileKey(s.Tenant, s.ImportID)
	if err := f.Files.PutFile(ctx, key, tmp.Name(), "text/csv; charset=utf-8"); err != nil {
		return "", 0, err
	}
	return key, len(failed), nil
}

func rowOrder(row int) int {
	if row == 0 {
		return math.MaxInt
	}
	return row
}

// eachLine calls decode for every JSON line of a work file; a file that does
// not exist has no lines.
func (f *Finalize) eachLine(ctx context.Context, key string, decode func(*json.Decoder) error) error {
	body, err := f.Files.Open(ctx, key)
	if crm.KindOf(err) == crm.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	defer body.Close()
	dec := json.NewDecoder(bufio.NewReader(body))
	for dec.More() {
		if err := decode(dec); err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", key, err)
		}
	}
	return nil
}

// unassignedOutcome is the outcome of a row split gave to no user.
func unassignedOutcome(r crm.Row) outcome.Row {
	if len(r.Errors) > 0 {
		return outcome.Row{Row: r.Number, Status: outcome.Error, Errors: planErrors(r.Errors)}
	}
	reason := fmt.Sprintf("no user of your CRM matches %q: the row was not imported", r.Assignee)
	if r.Assignee == "" {
		reason = "the row names no sales agent: it was not imported"
	}
	return outcome.Row{Row: r.Number, Status: outcome.Skipped, Key: r.Assignee, Reason: reason}
}
