package jobs

// CONTRACT SKELETON — the engine helper replaces the bodies; signatures
// are what the CLI and server code against.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sluice-dev/sluice/jobs/spec"
	"github.com/sluice-dev/sluice/jobs/state"
)

var errTODO = errors.New("jobs: not implemented yet")

// TableVersions reports a table's current version (snapshot sequence),
// for on: {table_updated: …} triggers; ok=false when the table does not
// exist.
type TableVersions interface {
	TableVersion(ctx context.Context, table string) (version int64, ok bool, err error)
}

// Config configures an Engine.
type Config struct {
	Store *state.Store
	// Runners runs the in-process task types by type name (sql, ingest,
	// ml_fit, ml_transform, models_predict). A job using a type with no
	// runner fails validation at deploy.
	Runners map[string]TaskRunner
	// Tables answers table_updated triggers; nil disables them.
	Tables TableVersions
	// LogDir holds attempt logs: LogDir/RUN/KEY/ATTEMPT.log.
	LogDir string
	// Slots bounds task attempts running at once in this engine (exec and
	// in-process tasks; run_job and for_each parents wait without a slot).
	// Default 32.
	Slots int
	// MaxRuns bounds runs this engine executes at once. Default 64.
	MaxRuns int
	// ExecutorID names this engine in the store. Default host:pid:random.
	ExecutorID string
	// PollInterval is how often Serve looks for queued runs, due
	// schedules, table versions and cancel requests. Default 500ms.
	PollInterval time.Duration
	// LeaseTimeout is how old an executor's heartbeat may get before its
	// running runs are adopted by another executor. Default 30s;
	// heartbeats every LeaseTimeout/3.
	LeaseTimeout time.Duration
	// HTTPClient sends notifications. Default: 10s timeout.
	HTTPClient *http.Client
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// Metrics registers the engine's Prometheus metrics; nil: none.
	Metrics prometheus.Registerer
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Engine validates and deploys jobs, schedules runs and executes them.
// Safe for concurrent use.
type Engine struct{}

// New returns an Engine. Close it to stop its runs' tasks.
func New(cfg Config) (*Engine, error) { return nil, errTODO }

// Close cancels what this engine still runs (recording it) and waits.
func (e *Engine) Close() error { return errTODO }

// Validate checks jobs against each other and the deployed jobs
// (run_job targets, task types with runners) beyond what spec.Parse
// checked. Errors name file:line:col.
func (e *Engine) Validate(ctx context.Context, jobs []*spec.Job) error { return errTODO }

// DeployResult says what Deploy did with one job.
type DeployResult struct {
	Job     string
	Version int64
	Changed bool
}

// Deploy validates and stores jobs (all or none are deployed).
func (e *Engine) Deploy(ctx context.Context, jobs []*spec.Job) ([]DeployResult, error) {
	return nil, errTODO
}

// SubmitOptions are the options of Submit.
type SubmitOptions struct {
	// Params override the job's parameter defaults; unknown names are an
	// error.
	Params map[string]string
	// Trigger defaults to "manual".
	Trigger    string
	TriggerKey string
	// LogicalTime defaults to now.
	LogicalTime time.Time
	Group       string
	GroupLimit  int
	// Execute claims the run for this engine (state running), to be
	// passed to Execute; else it is queued for Serve.
	Execute bool
}

// Submit creates a run of a deployed job.
func (e *Engine) Submit(ctx context.Context, job string, opts SubmitOptions) (*state.Run, error) {
	return nil, errTODO
}

// Execute executes a run claimed by this engine (Submit with Execute, or
// Repair with Execute) until it ends, and returns it in its final state.
// ctx bounds the wait: when it ends the run is canceled.
func (e *Engine) Execute(ctx context.Context, runID int64) (*state.Run, error) { return nil, errTODO }

// Wait waits until a run (executed anywhere) is terminal, polling the
// store, and returns it.
func (e *Engine) Wait(ctx context.Context, runID int64) (*state.Run, error) { return nil, errTODO }

// Serve reconciles orphaned runs, then schedules (cron, catch-up,
// table_updated), claims queued runs and executes them until ctx ends;
// then it cancels nothing — runs in progress are left to be adopted on
// the next start unless Close is called. It returns ctx's error or the
// first fatal error.
func (e *Engine) Serve(ctx context.Context) error { return errTODO }

// Reconcile adopts runs whose executor died (killing their orphaned exec
// process groups on this host), fails their lost attempts (retried by
// their policy) and resumes them. Serve calls it at start and
// periodically.
func (e *Engine) Reconcile(ctx context.Context) (adopted []int64, err error) { return nil, errTODO }

// Cancel requests a run's cancellation; its executor kills its running
// tasks (whole process groups) and marks the run canceled.
func (e *Engine) Cancel(ctx context.Context, runID int64) (*state.Run, error) { return nil, errTODO }

// RepairOptions are the options of Repair.
type RepairOptions struct {
	// Tasks to rerun; default: every task whose latest attempt did not
	// succeed. Their downstream tasks rerun too; succeeded tasks upstream
	// keep their attempts and values.
	Tasks []string
	// Execute claims the repaired run for this engine (see Execute).
	Execute bool
}

// Repair reruns the failed part of a terminal run in the same run.
func (e *Engine) Repair(ctx context.Context, runID int64, opts RepairOptions) (*state.Run, error) {
	return nil, errTODO
}

// BackfillOptions are the options of Backfill.
type BackfillOptions struct {
	From, To    time.Time // ticks t with From ≤ t < To
	Concurrency int       // runs of the backfill at once; default 1
	Params      map[string]string
	Max         int // refuse more ticks than this; default 1000
}

// Backfill creates one run per cron tick of the job's schedule in
// [From, To), queued with the backfill's concurrency limit (idempotent:
// a tick that already has a scheduled or backfill run is skipped).
func (e *Engine) Backfill(ctx context.Context, job string, opts BackfillOptions) ([]*state.Run, error) {
	return nil, errTODO
}

// ExecuteQueued executes queued runs (e.g. a backfill's) in this process
// until none of ids is left unfinished.
func (e *Engine) ExecuteQueued(ctx context.Context, ids []int64) error { return errTODO }

// TimelineTask is one attempt on a run's timeline.
type TimelineTask struct {
	Key       string          `json:"key"`
	Attempt   int             `json:"attempt"`
	Repair    int             `json:"repair"`
	Type      string          `json:"type"`
	State     state.TaskState `json:"state"`
	DependsOn []string        `json:"depends_on,omitempty"`
	ReadyAt   *time.Time      `json:"ready_at,omitempty"`
	StartedAt *time.Time      `json:"started_at,omitempty"`
	EndedAt   *time.Time      `json:"ended_at,omitempty"`
	// QueueMillis is ReadyAt→StartedAt, DurationMillis StartedAt→EndedAt.
	QueueMillis    float64 `json:"queue_ms"`
	DurationMillis float64 `json:"duration_ms"`
	ExitCode       *int    `json:"exit_code,omitempty"`
	Message        string  `json:"message,omitempty"`
}

// Timeline is a run with its attempts, for a Gantt view.
type Timeline struct {
	RunID     int64                     `json:"run_id"`
	Job       string                    `json:"job"`
	State     state.RunState            `json:"state"`
	Trigger   string                    `json:"trigger"`
	Repair    int                       `json:"repair"`
	QueuedAt  time.Time                 `json:"queued_at"`
	StartedAt *time.Time                `json:"started_at,omitempty"`
	EndedAt   *time.Time                `json:"ended_at,omitempty"`
	Message   string                    `json:"message,omitempty"`
	Tasks     []TimelineTask            `json:"tasks"`
	Values    map[string]map[string]any `json:"task_values,omitempty"`
}

// Timeline returns a run's timeline.
func (e *Engine) Timeline(ctx context.Context, runID int64) (*Timeline, error) { return nil, errTODO }
