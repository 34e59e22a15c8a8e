package spec

import (
	"encoding/json"
	"fmt"
	"time"
)

// Pos is a 1-based position in a job file.
type Pos struct{ Line, Col int }

// Job is one parsed job file. Positions point into File; errors about a
// field name File:Line:Col.
type Job struct {
	// File is the job file's path as given to Parse ("" for a string).
	File string `json:"-"`
	// Dir is the directory relative paths in the job are resolved
	// against: the job file's directory (absolute).
	Dir string `json:"-"`
	// Source is the file's bytes, kept so a deployed job can be shown and
	// redeployed exactly.
	Source []byte `json:"-"`

	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Schedule runs the job on a cron schedule; nil: no schedule.
	Schedule *Schedule `json:"schedule,omitempty"`
	// On runs the job when an event happens (YAML key "on"); nil: none.
	On *Trigger `json:"on,omitempty"`
	// Parameters are the job's parameters, in file order. Tasks refer
	// to them as ${name}.
	Parameters []Parameter `json:"parameters,omitempty"`
	// MaxConcurrentRuns bounds the job's runs in progress at once.
	// Default 1; more runs wait queued.
	MaxConcurrentRuns int `json:"max_concurrent_runs,omitempty"`
	// Timeout bounds a whole run; 0: none. A run over it is failed and
	// its running tasks are canceled (state timed_out).
	Timeout Duration `json:"timeout,omitzero"`
	// Retries is the default retry policy of the job's tasks; a task's
	// own Retries replaces it. nil: no retries.
	Retries *Retry `json:"retries,omitempty"`
	// Notifications say whom to tell when a run starts, succeeds or fails.
	Notifications *Notifications `json:"notifications,omitempty"`
	// Tasks are the job's tasks in file order. At least one.
	Tasks []*Task `json:"tasks"`

	Pos     Pos `json:"-"` // the document's first key
	NamePos Pos `json:"-"` // the name's value
}

// Schedule is a cron schedule.
type Schedule struct {
	// Cron is a five-field cron expression (minute hour day-of-month month
	// day-of-week) or a macro (@hourly, @daily, @weekly, @monthly,
	// @yearly); see package jobs/cron.
	Cron string `json:"cron"`
	// Timezone is an IANA time zone name the expression is read in.
	// Default "UTC".
	Timezone string `json:"timezone,omitempty"`
	// Paused deploys the schedule paused: no scheduled runs until
	// 'sluice jobs resume'.
	Paused bool `json:"paused,omitempty"`
	// CatchUp, when true, makes the scheduler create a run for every tick
	// missed while the server was down (Airflow's catchup), bounded by
	// MaxCatchUp; when false only the latest missed tick runs.
	CatchUp bool `json:"catch_up,omitempty"`
	// MaxCatchUp bounds the missed ticks run on catch-up. Default 100.
	MaxCatchUp int `json:"max_catch_up,omitempty"`

	CronPos Pos `json:"-"`
	TZPos   Pos `json:"-"`
}

// Trigger runs a job on an event.
type Trigger struct {
	// TableUpdated names a table (namespace.name or name); the job runs
	// when the table gets a new version.
	TableUpdated string `json:"table_updated,omitempty"`
	Pos          Pos    `json:"-"`
}

// Parameter is a job parameter. YAML accepts a mapping
// {name: default, …} or a list of {name, default, description}.
type Parameter struct {
	Name        string `json:"name"`
	Default     string `json:"default"`
	Description string `json:"description,omitempty"`
	Pos         Pos    `json:"-"`
}

// Retry is a retry policy: Count further attempts after a failure, the
// first after Delay, each next delay multiplied by Backoff (1: constant),
// capped at MaxDelay.
type Retry struct {
	Count    int      `json:"count"`
	Delay    Duration `json:"delay,omitzero"`     // default 10s
	Backoff  float64  `json:"backoff,omitempty"`  // default 2
	MaxDelay Duration `json:"max_delay,omitzero"` // default 10m
	Pos      Pos      `json:"-"`
}

// DelayBefore returns the wait before attempt n (n ≥ 2; attempt 1 is the
// first run).
func (r *Retry) DelayBefore(n int) time.Duration {
	if r == nil || n < 2 {
		return 0
	}
	d := float64(r.Delay.D)
	b := r.Backoff
	if b == 0 {
		b = 1
	}
	for i := 2; i < n; i++ {
		d *= b
		if r.MaxDelay.D > 0 && d > float64(r.MaxDelay.D) {
			break
		}
	}
	if r.MaxDelay.D > 0 && d > float64(r.MaxDelay.D) {
		d = float64(r.MaxDelay.D)
	}
	return time.Duration(d)
}

// Notifications lists destinations per event.
type Notifications struct {
	OnStart   []Destination `json:"on_start,omitempty"`
	OnSuccess []Destination `json:"on_success,omitempty"`
	OnFailure []Destination `json:"on_failure,omitempty"`
}

// Destination is one place to notify: exactly one of Webhook (a JSON
// payload, see package jobs/notify) and Slack (a Slack-compatible
// incoming-webhook URL).
type Destination struct {
	Webhook string            `json:"webhook,omitempty"`
	Slack   string            `json:"slack,omitempty"`
	Headers map[string]string `json:"headers,omitempty"` // extra request headers (webhook only)
	Pos     Pos               `json:"-"`
}

// RunIf is a task's condition on its dependencies' outcomes.
type RunIf string

// The run_if rules (Databricks' names).
const (
	AllSuccess       RunIf = "all_success"         // default: every dependency succeeded
	AllDone          RunIf = "all_done"            // every dependency finished, whatever its state
	AtLeastOneFailed RunIf = "at_least_one_failed" // some dependency failed
	NoneFailed       RunIf = "none_failed"         // no dependency failed (skipped ones allowed)
)

// Task types: the YAML key holding a task's body.
const (
	TypeSQL           = "sql"
	TypeIngest        = "ingest"
	TypeMLFit         = "ml_fit"
	TypeMLTransform   = "ml_transform"
	TypeModelsPredict = "models_predict"
	TypeMLRecommend   = "ml_recommend"
	TypeExec          = "exec"
	TypeRunJob        = "run_job"
	TypeForEach       = "for_each"
)

// Types lists the task types in documentation order.
var Types = []string{TypeSQL, TypeIngest, TypeMLFit, TypeMLTransform, TypeModelsPredict, TypeMLRecommend, TypeExec, TypeRunJob, TypeForEach}

// Task is one node of a job's DAG. Exactly one of the type fields is set.
type Task struct {
	Key         string   `json:"key"`
	Description string   `json:"description,omitempty"`
	DependsOn   []string `json:"depends_on,omitempty"`
	RunIf       RunIf    `json:"run_if,omitempty"` // default all_success
	// Retries replaces the job's retry policy for this task.
	Retries *Retry `json:"retries,omitempty"`
	// Timeout bounds one attempt; 0: none. An attempt over it ends
	// timed_out (its process group killed) and may be retried.
	Timeout Duration `json:"timeout,omitzero"`

	SQL           *SQLTask           `json:"sql,omitempty"`
	Ingest        *IngestTask        `json:"ingest,omitempty"`
	MLFit         *MLFitTask         `json:"ml_fit,omitempty"`
	MLTransform   *MLTransformTask   `json:"ml_transform,omitempty"`
	ModelsPredict *ModelsPredictTask `json:"models_predict,omitempty"`
	MLRecommend   *MLRecommendTask   `json:"ml_recommend,omitempty"`
	Exec          *ExecTask          `json:"exec,omitempty"`
	RunJob        *RunJobTask        `json:"run_job,omitempty"`
	ForEach       *ForEachTask       `json:"for_each,omitempty"`

	Pos      Pos   `json:"-"` // the task's "key"
	DepsPos  []Pos `json:"-"` // each depends_on entry
	TypePos  Pos   `json:"-"` // the type key
	RunIfPos Pos   `json:"-"`
}

// Type returns the task's type (one of Types), "" if none is set.
func (t *Task) Type() string {
	switch {
	case t.SQL != nil:
		return TypeSQL
	case t.Ingest != nil:
		return TypeIngest
	case t.MLFit != nil:
		return TypeMLFit
	case t.MLTransform != nil:
		return TypeMLTransform
	case t.ModelsPredict != nil:
		return TypeModelsPredict
	case t.MLRecommend != nil:
		return TypeMLRecommend
	case t.Exec != nil:
		return TypeExec
	case t.RunJob != nil:
		return TypeRunJob
	case t.ForEach != nil:
		return TypeForEach
	}
	return ""
}

// SQLTask runs SQL statements. ${param} references are substituted
// safely (see Substitute): as a quoted literal outside string literals,
// escaped inside them, and as a quoted identifier in ${ident:name}.
type SQLTask struct {
	// Query holds one or more statements separated by ';'.
	Query string `json:"query,omitempty"`
	// File is a .sql file (relative to the job file) used instead of Query.
	File string `json:"file,omitempty"`
	// TaskValues "first_row" publishes the last query's first row as the
	// task's values (column name → value).
	TaskValues string `json:"task_values,omitempty"`
	Pos        Pos    `json:"-"` // of Query or File's value
}

// IngestTask loads files into a table: the options of 'sluice ingest'.
type IngestTask struct {
	Paths       []string `json:"paths"` // files or globs, relative to the job file
	Table       string   `json:"table"`
	Format      string   `json:"format,omitempty"`
	Mode        string   `json:"mode,omitempty"` // append (default) | overwrite
	PartitionBy []string `json:"partition_by,omitempty"`
	MergeSchema bool     `json:"merge_schema,omitempty"`
	BadRows     string   `json:"bad_rows,omitempty"` // fail (default) | quarantine
	Header      *bool    `json:"header,omitempty"`
	Delimiter   string   `json:"delimiter,omitempty"`
	// Quote, Escape, Nulls, DateFormat, TimestampFormat and SampleSize are
	// the CSV reader's options of the same names (ingest.CSVOptions).
	Quote           string   `json:"quote,omitempty"`
	Escape          string   `json:"escape,omitempty"`
	Nulls           []string `json:"nulls,omitempty"`
	DateFormat      string   `json:"date_format,omitempty"`
	TimestampFormat string   `json:"timestamp_format,omitempty"`
	SampleSize      int      `json:"sample_size,omitempty"` // 0: the default; -1: the whole file
	Pos             Pos      `json:"-"`
}

// MLFitTask fits a pipeline spec and logs it to tracking. Values
// published: run_id, model_uri (models:/NAME/VERSION when registered,
// else runs:/RUN/model), model_version, and every test metric by name.
type MLFitTask struct {
	Spec       string `json:"spec"` // pipeline spec file, relative to the job file
	Experiment string `json:"experiment,omitempty"`
	RunName    string `json:"run_name,omitempty"`
	Register   string `json:"register,omitempty"` // registered model name
	Alias      string `json:"alias,omitempty"`    // alias set on the new version
	Pos        Pos    `json:"-"`
}

// MLTransformTask applies a saved model or model URI to a table or query.
type MLTransformTask struct {
	Model string `json:"model"` // directory or models:/… runs:/… URI
	Table string `json:"table,omitempty"`
	Query string `json:"query,omitempty"`
	Into  string `json:"into"`
	Mode  string `json:"mode,omitempty"` // overwrite (default) | append
	Pos   Pos    `json:"-"`
}

// ModelsPredictTask scores a table or query with a registered model into
// a table (the batch form of serving). Values published: rows, version.
type ModelsPredictTask struct {
	Model   string   `json:"model"` // models:/NAME@alias, models:/NAME/V, runs:/…
	Table   string   `json:"table,omitempty"`
	Query   string   `json:"query,omitempty"`
	Into    string   `json:"into"`
	Mode    string   `json:"mode,omitempty"`    // overwrite (default) | append
	Columns []string `json:"columns,omitempty"` // output columns kept besides the input's (default prediction, probability)
	Pos     Pos      `json:"-"`
}

// MLRecommendTask writes the top K recommendations of a fitted ALS model
// (alone, in a pipeline, or a tuning model's best) for every user — or
// every item, or the ids IDs selects — into a table with the columns
// user, rank (1-based), item and score, named after the model's userCol
// and itemCol. Values published: rows, and users or items (how many got
// recommendations).
type MLRecommendTask struct {
	Model string `json:"model"`          // models:/NAME@alias, models:/NAME/V, runs:/…, or a directory
	K     int    `json:"k,omitempty"`    // default 10
	For   string `json:"for,omitempty"`  // users (default) | items
	IDs   string `json:"ids,omitempty"`  // SQL whose first column holds the ids (default: all)
	Into  string `json:"into"`           // the output table
	Mode  string `json:"mode,omitempty"` // overwrite (default) | append
	Pos   Pos    `json:"-"`
}

// ExecTask runs a program. Command is the argv (no shell: write
// [sh, -c, "…"] for one). The process runs in its own process group with
// stdout and stderr appended to the attempt's log; the environment has
// SLUICE_TASK_VALUES (a file to write values to: a JSON object, or
// key=value lines), SLUICE_RUN_ID, SLUICE_TASK_KEY, SLUICE_ATTEMPT and
// SLUICE_PARAM_<NAME> for every parameter; run by the sluice CLI or
// server, also SLUICE_BIN, the path of that sluice binary.
type ExecTask struct {
	Command []string          `json:"command"`
	Env     map[string]string `json:"env,omitempty"`
	Dir     string            `json:"dir,omitempty"` // default: the job file's directory
	Pos     Pos               `json:"-"`
}

// RunJobTask runs another deployed job and waits for it; the task
// succeeds when that run does. Its values are the child run's id and
// state.
type RunJobTask struct {
	Job        string            `json:"job"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Pos        Pos               `json:"-"`
}

// ForEachTask runs Task once per input, at most Concurrency at once.
// Inputs is exactly one of: Items (a YAML list), Param (a job parameter
// holding a JSON array or comma-separated list) or Query (SQL; each row
// an item, as an object of its columns). Inside Task, ${item} is the
// item (a scalar, or JSON for objects) and ${item.COL} a column of it.
type ForEachTask struct {
	Items       []string `json:"items,omitempty"`
	Param       string   `json:"param,omitempty"`
	Query       string   `json:"query,omitempty"`
	Concurrency int      `json:"concurrency,omitempty"` // default 1
	Task        *Task    `json:"task"`                  // its Key and DependsOn are ignored
	Pos         Pos      `json:"-"`
}

// Duration is a time.Duration written as Go duration text ("90s", "1h30m").
type Duration struct{ D time.Duration }

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", d.D.String())), nil }

// UnmarshalJSON reads duration text ("90s") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	switch v := v.(type) {
	case string:
		x, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		d.D = x
	case float64:
		d.D = time.Duration(v * float64(time.Second))
	case nil:
		d.D = 0
	default:
		return fmt.Errorf("duration: want text such as \"90s\", got %s", b)
	}
	return nil
}

// String returns the duration as Go duration text.
func (d Duration) String() string { return d.D.String() }

// String returns "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }
