package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sluice-dev/sluice/jobs"
	"github.com/sluice-dev/sluice/jobs/process"
	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/sqlengine"
	"github.com/sluice-dev/sluice/sqlengine/sqltext"
)

// TaskValuesFirstRow is the sql task_values setting that publishes the
// last query's first row.
const TaskValuesFirstRow = "first_row"

// previewRows is how many rows of each query the log shows.
const previewRows = 20

// runSQL runs a sql task's statements one at a time, logging each.
func (r *runners) runSQL(ctx context.Context, tc *jobs.TaskContext, out values) error {
	t := tc.Task.SQL
	if t.TaskValues != "" && t.TaskValues != TaskValuesFirstRow {
		return fmt.Errorf("sql task_values %q: use %s (or leave it out)", t.TaskValues, TaskValuesFirstRow)
	}
	text, where := t.Query, "sql query"
	if t.File != "" {
		path := abs(tc.Dir, t.File)
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("sql file %s: %w; the path is relative to the job file's directory", t.File, err)
		}
		text, where = string(b), "sql file "+t.File
	}
	script, err := spec.SubstituteSQL(text, tc.Vars)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	stmts, err := sqltext.Split(script)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if len(stmts) == 0 {
		return fmt.Errorf("%s: no SQL statement to run", where)
	}
	eng, err := r.cfg.Workspace.SQL(ctx)
	if err != nil {
		return err
	}

	// The last query's first row, for task_values first_row.
	var (
		lastQuery    int // statement number, 0: none yet
		lastQueryRow values
		lastLine     int
	)
	for i, st := range stmts {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: before statement %d: %w", where, i+1, ctxErr(ctx))
		}
		line := sqltext.PosOf(script, st.Offset).Line
		var pv *preview
		var first values
		start := time.Now()
		results, err := eng.Exec(ctx, st.Text, func(_ string, rdr array.RecordReader) error {
			pv = &preview{max: previewRows}
			for rdr.Next() {
				rec := rdr.RecordBatch()
				if first == nil && rec.NumRows() > 0 && t.TaskValues == TaskValuesFirstRow {
					first = rowValues(rec, 0)
				}
				pv.add(rec)
			}
			return rdr.Err()
		})
		dur := time.Since(start)
		if err != nil {
			logf(tc.Log, "statement %d (line %d): failed after %s", i+1, line, seconds(dur))
			var se *sqltext.Error
			if errors.As(err, &se) {
				return fmt.Errorf("%s: %w", where, se.Relocate(script, st.Offset))
			}
			return fmt.Errorf("%s: statement %d at line %d: %w", where, i+1, line, err)
		}
		for _, res := range results {
			logf(tc.Log, "statement %d (line %d): %s in %s", i+1, line, describe(res, pv), seconds(dur))
			if res.Kind == "query" && pv != nil {
				pv.write(tc.Log)
				lastQuery, lastQueryRow, lastLine = i+1, first, line
			}
		}
	}
	if t.TaskValues == TaskValuesFirstRow {
		switch {
		case lastQuery == 0:
			return fmt.Errorf("%s: task_values first_row: no statement is a query (SELECT …) whose first row could be published", where)
		case lastQueryRow == nil:
			return fmt.Errorf("%s: task_values first_row: the last query (statement %d, line %d) returned no rows; make it return at least one row (e.g. an aggregate)", where, lastQuery, lastLine)
		}
		size := 0
		for name, v := range lastQueryRow {
			size += len(name) + len(v)
		}
		if size > process.MaxValuesSize {
			return fmt.Errorf("%s: task_values first_row: the row of statement %d is %d KiB, over the %d KiB task values may hold; select fewer or smaller columns (keep data in tables)", where, lastQuery, size>>10, process.MaxValuesSize>>10)
		}
		var names []string
		for name, v := range lastQueryRow {
			out[name] = v
			if !refName(name) {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			logf(tc.Log, "note: column(s) %s cannot be referenced as ${tasks.%s.values.NAME}; alias them with letters, digits and _", strings.Join(names, ", "), tc.Key)
		}
		logf(tc.Log, "published %s of the first row of statement %d", plural(int64(len(lastQueryRow)), "value"), lastQuery)
	}
	return nil
}

// refName reports whether a value name can be used in ${tasks.KEY.values.NAME}.
func refName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// describe says what a statement did, as `sluice sql` does.
func describe(r sqlengine.Result, pv *preview) string {
	switch r.Kind {
	case "query":
		if pv == nil {
			return "query"
		}
		return "query returned " + plural(pv.n, "row")
	}
	if s := r.Summary(); s != "" {
		return s
	}
	return "ok"
}
