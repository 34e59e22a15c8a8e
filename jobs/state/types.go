package state

import (
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned (wrapped) when a job, run or task run does not
// exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a state change's precondition
// does not hold: claiming a run another executor owns, finishing an
// attempt that is no longer running, repairing a run still in progress.
var ErrConflict = errors.New("conflict")

// RunState is a run's lifecycle state.
type RunState string

// Run states. A run is created queued (or running when the creator
// executes it itself), becomes running when an executor claims it, and
// ends in one of the terminal states. Repair puts a terminal run back to
// queued.
const (
	RunQueued    RunState = "queued"
	RunRunning   RunState = "running"
	RunSucceeded RunState = "succeeded"
	RunFailed    RunState = "failed"
	RunCanceled  RunState = "canceled"
	RunTimedOut  RunState = "timed_out"
)

// Terminal reports whether s is a final state.
func (s RunState) Terminal() bool {
	return s == RunSucceeded || s == RunFailed || s == RunCanceled || s == RunTimedOut
}

// TaskState is one task attempt's state.
type TaskState string

// Task attempt states.
const (
	TaskQueued         TaskState = "queued"          // dependencies met, waiting for a slot or retry delay
	TaskRunning        TaskState = "running"         // started
	TaskSucceeded      TaskState = "succeeded"       //
	TaskFailed         TaskState = "failed"          // error or non-zero exit
	TaskTimedOut       TaskState = "timed_out"       // over its timeout, killed
	TaskCanceled       TaskState = "canceled"        // the run was canceled
	TaskUpstreamFailed TaskState = "upstream_failed" // run_if not met because a dependency failed
	TaskSkipped        TaskState = "skipped"         // run_if not met otherwise (at_least_one_failed with no failure)
)

// Terminal reports whether s is a final state.
func (s TaskState) Terminal() bool { return s != TaskQueued && s != TaskRunning }

// Failed reports whether s counts as a failure for run_if rules and the
// run's outcome: failed, timed_out, upstream_failed or canceled.
func (s TaskState) Failed() bool {
	return s == TaskFailed || s == TaskTimedOut || s == TaskUpstreamFailed || s == TaskCanceled
}

// Job is a deployed job.
type Job struct {
	Name    string
	Version int64 // 1 for the first deploy, +1 for each changed deploy
	// Spec is the job file's text as deployed; SpecJSON the parsed job
	// as JSON (spec.Job's JSON form) for listing without reparsing.
	Spec       []byte
	SpecJSON   json.RawMessage
	SourcePath string // where it was deployed from (informational)
	Paused     bool
	DeployedAt time.Time // of this version
	CreatedAt  time.Time // of version 1
}

// Run is one run of a job.
type Run struct {
	ID         int64
	Job        string
	JobVersion int64
	State      RunState
	// Trigger is what made the run: manual, schedule, backfill,
	// table_updated, run_job.
	Trigger string
	// TriggerKey makes creation idempotent: CreateRun with an existing
	// (Job, TriggerKey) returns the existing run. "" for none. The
	// scheduler uses "schedule:<RFC3339 tick>".
	TriggerKey string
	// LogicalTime is the time the run is for: the cron tick of a
	// scheduled or backfill run, the submission time otherwise.
	LogicalTime time.Time
	Parameters  map[string]string // resolved values, defaults included
	// Group and GroupLimit bound runs of one group running at once
	// (backfills: "backfill:<id>"), besides the job's max concurrent runs.
	Group           string
	GroupLimit      int
	ParentRunID     int64  // run_job: the calling run; 0 for none
	ParentTask      string // run_job: the calling task's key
	Executor        string // the executor executing it ("" while queued)
	Attempt         int    // repair generation: 0, then 1, 2 … per repair
	CancelRequested bool
	Message         string // why it failed / was canceled
	QueuedAt        time.Time
	StartedAt       time.Time // zero until running
	EndedAt         time.Time // zero until terminal
}

// TaskRun is one attempt of one task of a run. For for_each tasks, each
// iteration is its own TaskRun with Key "KEY[i]" (0-based) and the
// for_each task itself one with Key "KEY".
type TaskRun struct {
	RunID   int64
	Key     string
	Attempt int // 1, 2, … across retries and repairs
	// Repair is the run's repair generation the attempt belongs to.
	Repair    int
	State     TaskState
	Type      string    // task type
	ReadyAt   time.Time // dependencies met (queued)
	StartedAt time.Time // zero until running; exec: after the process started
	EndedAt   time.Time
	ExitCode  *int   // exec tasks
	Message   string // error text, or why skipped
	// Process identity of a running exec attempt, for killing its group
	// after an executor crash: Host, PID (= process group id) and the
	// process start time in clock ticks since boot (/proc/PID/stat field
	// 22), which guards against PID reuse.
	Host      string
	PID       int
	ProcStart uint64
	LogPath   string // the attempt's log file
	Executor  string
}

// Executor is a process executing runs (a server or a CLI --wait).
type Executor struct {
	ID          string
	Host        string
	PID         int
	StartedAt   time.Time
	HeartbeatAt time.Time
}
