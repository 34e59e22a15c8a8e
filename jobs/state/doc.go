// Package state is the durable state of Sluice jobs, kept in the metadata
// database (metastore: the workspace's SQLite file or PostgreSQL): the
// deployed jobs and every version of them, runs, task attempts, the small
// values tasks publish, the executors running runs, and the scheduler's
// trigger state. The engine (package jobs), the CLI and the server read
// and change it only through a Store; several processes may share one
// database.
//
// # Tables
//
// The migration component "jobs" owns these tables (prefixed job_
// because tracking already has a table called runs):
//
//	jobs               name → current version, paused, created_at
//	job_versions       (name, version) → spec text, spec JSON, source path, deployed_at
//	job_runs           one row per run: state, trigger and trigger_key, logical time,
//	                   parameters (JSON), group and limit, parent run, executor,
//	                   repair attempt, cancel flag, message, queued/started/ended times
//	job_task_runs      (run_id, task_key, attempt) → one task attempt's state, times,
//	                   exit code, message, process identity, log path, executor
//	job_task_values    (run_id, task_key, name) → JSON value, text kept as published
//	job_executors      id → host, pid, started_at, heartbeat_at
//	job_trigger_state  (job, kind) → value (last schedule tick, last table version)
//
// Times are BIGINT unix milliseconds (UTC; NULL when unset) and read back
// as time.Time in UTC, so a value that went through the Store is
// truncated to the millisecond.
//
// # Invariants
//
// Claim exactly once: ClaimRuns moves a queued run to running under one
// executor in one transaction, and checks the job's and the group's
// running counts in that same transaction. On SQLite the write
// transaction (BEGIN IMMEDIATE) excludes every other writer, in any
// process; on PostgreSQL claims hold a transaction-scoped advisory lock
// and read the queued rows FOR UPDATE SKIP LOCKED. Adoption of an
// orphaned run (AdoptRun) is a compare-and-set on its executor, so one
// adopter wins.
//
// Terminal attempts are immutable: UpdateTaskRun changes an attempt only
// while its stored state is queued or running, checked in the UPDATE
// itself. A late write from an executor that lost a run, or an update
// replayed after a crash, gets ErrConflict and changes nothing, so a task
// is never run twice or flipped from a final state except through a new
// attempt (a retry or a repair). Likewise FinishRun refuses runs already
// terminal and BeginRepair refuses runs not yet terminal.
//
// Scheduled runs are idempotent: job_runs has a unique index on (job,
// trigger_key), with NULL stored for runs without a key (NULLs never
// collide on either backend). CreateRun inserts with ON CONFLICT DO
// NOTHING and returns the existing run when the key exists, so two
// schedulers creating the run for one tick get one run.
//
// # Writes
//
// Every write goes through the database's shared metastore.Writer: on
// SQLite concurrent writes group-commit (one transaction for many callers,
// each in its own savepoint); on PostgreSQL each is a transaction, and the
// single-statement task attempt writes run in autocommit mode. The task
// attempt statements are prepared once (Close releases them).
//
// A Store is safe for concurrent use by many goroutines; ctx bounds each
// call's database work.
package state
