package state

import (
	"strings"

	"github.com/sluice-dev/sluice/metastore"
)

// component is the migration component of the jobs tables.
const component = "jobs"

// migrations is the jobs schema. Tables are prefixed job_ (the tracking
// component already has a table called runs in the same database).
// Times are BIGINT unix milliseconds (UTC), NULL when unset. Booleans are
// INTEGER 0/1. Parameters are a JSON object in TEXT.
var migrations = []metastore.Migration{{
	SQL:      schemaV1,
	Postgres: strings.NewReplacer(" WITHOUT ROWID", "", " BLOB", " BYTEA").Replace(schemaV1),
}}

// schemaV1 is the first schema, in SQLite's dialect: tables keyed by a
// composite key are WITHOUT ROWID, so a lookup is one B-tree descent.
//
// Indexes serve the hot queries: job_runs_queued (ClaimRuns: queued runs
// oldest first), job_runs_running (ClaimRuns' running counts per job and
// group, OrphanedRuns), job_runs_job (ListRuns and CountRunning by job and
// state), the unique job_runs_trigger_key (CreateRun's idempotency; a NULL
// trigger_key, stored for "", never conflicts on either backend) and the
// primary key of job_task_runs (a run's attempts).
const schemaV1 = `
CREATE TABLE jobs (
	name TEXT NOT NULL PRIMARY KEY,
	version BIGINT NOT NULL,
	paused INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
) WITHOUT ROWID;
CREATE TABLE job_versions (
	name TEXT NOT NULL,
	version BIGINT NOT NULL,
	spec BLOB NOT NULL,
	spec_json TEXT NOT NULL,
	source_path TEXT NOT NULL DEFAULT '',
	deployed_at BIGINT NOT NULL,
	PRIMARY KEY (name, version)
) WITHOUT ROWID;
CREATE TABLE job_runs (
	id {{AUTOINC}},
	job TEXT NOT NULL,
	job_version BIGINT NOT NULL,
	state TEXT NOT NULL,
	trigger_kind TEXT NOT NULL DEFAULT '',
	trigger_key TEXT,
	logical_time BIGINT,
	parameters TEXT NOT NULL DEFAULT '{}',
	run_group TEXT NOT NULL DEFAULT '',
	group_limit INTEGER NOT NULL DEFAULT 0,
	parent_run_id BIGINT,
	parent_task TEXT NOT NULL DEFAULT '',
	executor TEXT NOT NULL DEFAULT '',
	attempt INTEGER NOT NULL DEFAULT 0,
	cancel_requested INTEGER NOT NULL DEFAULT 0,
	message TEXT NOT NULL DEFAULT '',
	queued_at BIGINT NOT NULL,
	started_at BIGINT,
	ended_at BIGINT
);
CREATE INDEX job_runs_queued ON job_runs (id) WHERE state = 'queued';
CREATE INDEX job_runs_running ON job_runs (job, run_group, executor) WHERE state = 'running';
CREATE INDEX job_runs_job ON job_runs (job, state, id);
CREATE INDEX job_runs_parent ON job_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE UNIQUE INDEX job_runs_trigger_key ON job_runs (job, trigger_key);
CREATE TABLE job_task_runs (
	run_id BIGINT NOT NULL REFERENCES job_runs (id),
	task_key TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	repair INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	task_type TEXT NOT NULL DEFAULT '',
	ready_at BIGINT,
	started_at BIGINT,
	ended_at BIGINT,
	exit_code INTEGER,
	message TEXT NOT NULL DEFAULT '',
	host TEXT NOT NULL DEFAULT '',
	pid INTEGER NOT NULL DEFAULT 0,
	proc_start BIGINT NOT NULL DEFAULT 0,
	log_path TEXT NOT NULL DEFAULT '',
	executor TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, task_key, attempt)
) WITHOUT ROWID;
CREATE TABLE job_task_values (
	run_id BIGINT NOT NULL REFERENCES job_runs (id),
	task_key TEXT NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (run_id, task_key, name)
) WITHOUT ROWID;
CREATE TABLE job_executors (
	id TEXT NOT NULL PRIMARY KEY,
	host TEXT NOT NULL DEFAULT '',
	pid INTEGER NOT NULL DEFAULT 0,
	started_at BIGINT NOT NULL,
	heartbeat_at BIGINT NOT NULL
) WITHOUT ROWID;
CREATE TABLE job_trigger_state (
	job TEXT NOT NULL,
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (job, kind)
) WITHOUT ROWID
`
