package state

// CONTRACT SKELETON — the state helper replaces every body below; the
// signatures and documented behaviour are the contract the engine and the
// CLI code against. Change a signature only with the integrator.

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/sluice-dev/sluice/metastore"
)

var errTODO = errors.New("jobs/state: not implemented yet")

// Store keeps jobs, runs, task attempts, task values, executors and
// trigger state in the metadata database (SQLite or PostgreSQL). It is
// safe for concurrent use by many goroutines and by several processes
// sharing the database.
type Store struct {
	db *metastore.DB
}

// Open migrates the "jobs" component's schema and returns a Store. The
// caller keeps ownership of db.
func Open(ctx context.Context, db *metastore.DB) (*Store, error) { return &Store{db: db}, errTODO }

// Deploy stores a job version. When the job exists and spec is unchanged
// (same bytes), nothing changes and changed is false. Deploy keeps every
// version (JobVersion reads old ones). Paused is kept from the previous
// version unless setPaused is non-nil.
func (s *Store) Deploy(ctx context.Context, name string, spec []byte, specJSON json.RawMessage, sourcePath string, setPaused *bool) (job *Job, changed bool, err error) {
	return nil, false, errTODO
}

// GetJob returns the current version of a job (ErrNotFound).
func (s *Store) GetJob(ctx context.Context, name string) (*Job, error) { return nil, errTODO }

// JobVersion returns one version of a job (ErrNotFound).
func (s *Store) JobVersion(ctx context.Context, name string, version int64) (*Job, error) {
	return nil, errTODO
}

// ListJobs returns the current version of every job, by name.
func (s *Store) ListJobs(ctx context.Context) ([]Job, error) { return nil, errTODO }

// SetPaused pauses or resumes a job's schedule and triggers (ErrNotFound).
func (s *Store) SetPaused(ctx context.Context, name string, paused bool) error { return errTODO }

// DeleteJob removes a job and its versions; its runs stay (ErrNotFound).
func (s *Store) DeleteJob(ctx context.Context, name string) error { return errTODO }

// NewRun describes a run to create.
type NewRun struct {
	Job         string
	JobVersion  int64
	Trigger     string
	TriggerKey  string // "" for none; else (Job, TriggerKey) is unique
	LogicalTime time.Time
	Parameters  map[string]string
	Group       string
	GroupLimit  int
	ParentRunID int64
	ParentTask  string
	// Executor, when set, creates the run already claimed by that
	// executor, in state running (CLI --wait); else it is queued.
	Executor string
}

// CreateRun creates a run. With a TriggerKey that already exists for the
// job, it returns the existing run and created=false.
func (s *Store) CreateRun(ctx context.Context, r NewRun) (run *Run, created bool, err error) {
	return nil, false, errTODO
}

// GetRun returns a run (ErrNotFound).
func (s *Store) GetRun(ctx context.Context, id int64) (*Run, error) { return nil, errTODO }

// RunFilter selects runs for ListRuns. Zero fields match everything.
type RunFilter struct {
	Job         string
	States      []RunState
	Trigger     string
	ParentRunID int64
	BeforeID    int64 // runs with ID < BeforeID (paging)
	Limit       int   // default 100
}

// ListRuns returns matching runs, newest (highest ID) first.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) { return nil, errTODO }

// ClaimRuns moves up to limit queued runs to running under executor,
// oldest first, skipping runs whose job already has MaxConcurrentRuns
// runs running (maxConcurrent maps job → limit; missing: 1) and runs
// whose Group already has GroupLimit runs running. Atomic across
// processes: a run is claimed by exactly one executor.
func (s *Store) ClaimRuns(ctx context.Context, executor string, limit int, maxConcurrent map[string]int) ([]Run, error) {
	return nil, errTODO
}

// StartRun sets StartedAt of a claimed run (first start only).
func (s *Store) StartRun(ctx context.Context, id int64, at time.Time) error { return errTODO }

// FinishRun moves a run to a terminal state with a message
// (ErrConflict if already terminal).
func (s *Store) FinishRun(ctx context.Context, id int64, st RunState, message string, at time.Time) error {
	return errTODO
}

// RequestCancel flags a run for cancellation (a queued run is canceled
// at once; a running one by its executor, which polls CancelRequested).
// ErrConflict for a terminal run.
func (s *Store) RequestCancel(ctx context.Context, id int64) (*Run, error) { return nil, errTODO }

// CancelRequested returns which of ids have a pending cancel request.
func (s *Store) CancelRequested(ctx context.Context, ids []int64) ([]int64, error) {
	return nil, errTODO
}

// BeginRepair puts a terminal run back to queued for a repair: Attempt
// (the repair generation) +1, EndedAt and Message cleared, executor
// cleared (or set to executor, state running, when executor != "").
// ErrConflict unless the run is terminal.
func (s *Store) BeginRepair(ctx context.Context, id int64, executor string) (*Run, error) {
	return nil, errTODO
}

// CountRunning returns how many runs of job are running.
func (s *Store) CountRunning(ctx context.Context, job string) (int, error) { return 0, errTODO }

// InsertTaskRun records a new attempt (state queued or running, or a
// terminal state for skipped/upstream_failed tasks that never start).
// ErrConflict if (RunID, Key, Attempt) exists.
func (s *Store) InsertTaskRun(ctx context.Context, tr TaskRun) error { return errTODO }

// UpdateTaskRun writes tr's mutable fields (State, StartedAt, EndedAt,
// ExitCode, Message, Host, PID, ProcStart, LogPath, Executor) for
// (RunID, Key, Attempt). ErrConflict if the stored attempt is already
// terminal (a terminal attempt never changes).
func (s *Store) UpdateTaskRun(ctx context.Context, tr TaskRun) error { return errTODO }

// TaskRuns returns every attempt of a run's tasks, ordered by ReadyAt,
// then Key, then Attempt.
func (s *Store) TaskRuns(ctx context.Context, runID int64) ([]TaskRun, error) { return nil, errTODO }

// SetTaskValues stores a task's published values (replacing the task's
// previous ones).
func (s *Store) SetTaskValues(ctx context.Context, runID int64, key string, values map[string]json.RawMessage) error {
	return errTODO
}

// TaskValues returns a run's task values: task key → name → JSON value.
func (s *Store) TaskValues(ctx context.Context, runID int64) (map[string]map[string]json.RawMessage, error) {
	return nil, errTODO
}

// RegisterExecutor records an executor (or refreshes it).
func (s *Store) RegisterExecutor(ctx context.Context, e Executor) error { return errTODO }

// Heartbeat refreshes an executor's HeartbeatAt.
func (s *Store) Heartbeat(ctx context.Context, id string, at time.Time) error { return errTODO }

// UnregisterExecutor removes an executor that stopped cleanly.
func (s *Store) UnregisterExecutor(ctx context.Context, id string) error { return errTODO }

// Executors lists registered executors.
func (s *Store) Executors(ctx context.Context) ([]Executor, error) { return nil, errTODO }

// OrphanedRuns returns running runs whose executor is not alive: not
// registered, or registered with HeartbeatAt before staleBefore, or in
// deadExecutors (IDs the caller knows are dead, e.g. its own host's
// executors whose PID is gone).
func (s *Store) OrphanedRuns(ctx context.Context, staleBefore time.Time, deadExecutors []string) ([]Run, error) {
	return nil, errTODO
}

// AdoptRun moves a running run from executor from to executor to
// (ErrConflict if another executor adopted it first).
func (s *Store) AdoptRun(ctx context.Context, id int64, from, to string) error { return errTODO }

// TriggerState returns a job's stored trigger state for kind ("schedule":
// last tick handled, RFC3339; "table_updated": last table version seen).
func (s *Store) TriggerState(ctx context.Context, job, kind string) (value string, ok bool, err error) {
	return "", false, errTODO
}

// SetTriggerState stores a job's trigger state for kind.
func (s *Store) SetTriggerState(ctx context.Context, job, kind, value string) error { return errTODO }
