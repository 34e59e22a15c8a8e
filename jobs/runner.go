package jobs

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"time"

	"github.com/sluice-dev/sluice/jobs/spec"
)

// TaskRunner runs one attempt of the tasks of one type in process (sql,
// ingest, ml_fit, ml_transform, models_predict; package jobs/tasks). The
// engine runs exec, run_job and for_each itself.
//
// Run returns when the attempt ends. It must stop promptly when ctx is
// canceled (run canceled, attempt timed out, executor stopping) and then
// return ctx's error or one wrapping it. Values are the task's published
// values (may be nil). An error fails the attempt; its text is shown to
// the user as the attempt's message, so it says what failed and how to
// fix it.
type TaskRunner interface {
	Run(ctx context.Context, tc *TaskContext) (values map[string]json.RawMessage, err error)
}

// TaskRunnerFunc adapts a function to TaskRunner.
type TaskRunnerFunc func(ctx context.Context, tc *TaskContext) (map[string]json.RawMessage, error)

// Run calls f.
func (f TaskRunnerFunc) Run(ctx context.Context, tc *TaskContext) (map[string]json.RawMessage, error) {
	return f(ctx, tc)
}

// TaskContext is what a task attempt sees.
type TaskContext struct {
	Job     string
	RunID   int64
	Key     string // "KEY" or, in a for_each iteration, "KEY[i]"
	Attempt int
	// Task is the task with every ${…} reference outside SQL text already
	// substituted (parameters, task values, item). SQL text (SQLTask.Query,
	// the file's contents, MLTransform/ModelsPredict Query, ForEach Query)
	// is left as written: the runner substitutes it with Vars through
	// spec.SubstituteSQL, which quotes safely.
	Task *spec.Task
	// Dir is the job file's directory: relative paths resolve against it.
	Dir string
	// Vars resolves ${name} references: parameters by name, "job.name",
	// "run.id", "run.logical_date" (YYYY-MM-DD), "run.logical_time"
	// (RFC 3339), "tasks.KEY.values.NAME", "item" and "item.COL".
	Vars map[string]string
	// LogicalTime is the run's logical time.
	LogicalTime time.Time
	// Log receives the attempt's log (human-readable lines); it is the
	// attempt's log file. Logger writes structured lines to it.
	Log    io.Writer
	Logger *slog.Logger
}

// RowsQuerier is an optional ability of the sql TaskRunner
// (Config.Runners["sql"]): running a query and returning its rows, for a
// for_each over a query. query is as written in the job; the runner
// substitutes it with spec.SubstituteSQL(query, tc.Vars) and logs to
// tc.Log. Each row maps column names to values that encode as JSON.
type RowsQuerier interface {
	QueryRows(ctx context.Context, tc *TaskContext, query string) ([]map[string]any, error)
}
