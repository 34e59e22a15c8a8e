package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/spec"
)

// maxForEachRows bounds the items a for_each query may produce.
const maxForEachRows = 10000

// sqlRunner is the sql task runner, which can also run a for_each's query
// (jobs.RowsQuerier).
type sqlRunner struct {
	jobs.TaskRunner
	r *runners
}

var _ jobs.RowsQuerier = sqlRunner{}

// QueryRows runs a for_each query (substituted with tc.Vars through
// spec.SubstituteSQL) and returns its rows as column → value maps, at
// most maxForEachRows of them; more is an error.
func (s sqlRunner) QueryRows(ctx context.Context, tc *jobs.TaskContext, query string) ([]map[string]any, error) {
	if err := s.r.cfg.Validate(); err != nil {
		return nil, err
	}
	q, err := spec.SubstituteSQL(query, tc.Vars)
	if err != nil {
		return nil, fmt.Errorf("for_each query: %w", err)
	}
	eng, err := s.r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var rows []map[string]any
	err = eng.Query(ctx, q, func(rdr array.RecordReader) error {
		for rdr.Next() {
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				if len(rows) == maxForEachRows {
					return fmt.Errorf("more than %d rows; a for_each runs one task per row, so aggregate or LIMIT the query", maxForEachRows)
				}
				row := map[string]any{}
				for name, raw := range rowValues(rec, i) {
					var v any
					if err := json.Unmarshal(raw, &v); err != nil {
						return fmt.Errorf("column %s: %w", name, err)
					}
					row[name] = v
				}
				rows = append(rows, row)
			}
		}
		return rdr.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("for_each query: %w", err)
	}
	if tc.Log != nil {
		logf(tc.Log, "for_each query: %s in %s", plural(int64(len(rows)), "row"), seconds(time.Since(start)))
	}
	return rows, nil
}
