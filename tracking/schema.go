package tracking

import (
	"strings"

	"github.com/sluice-dev/sluice/metastore"
)

// migrations is the tracking schema. Metric values that are NaN are stored
// as 0 with is_nan = 1 (SQLite turns NaN into NULL). latest_metrics holds,
// per run and key, the value with the largest (step, timestamp, value), so
// that searches filter and order runs by metrics through an index.
var migrations = []metastore.Migration{{SQL: schemaV1, Postgres: strings.ReplaceAll(schemaV1, " WITHOUT ROWID", "")}}

// schemaV1 is the first schema, in SQLite's dialect: tables keyed by
// (run, key) are WITHOUT ROWID, so that a lookup is one B-tree descent.
const schemaV1 = `
CREATE TABLE experiments (
	experiment_id {{AUTOINC}},
	name TEXT NOT NULL UNIQUE,
	artifact_location TEXT NOT NULL,
	lifecycle_stage TEXT NOT NULL,
	creation_time BIGINT NOT NULL,
	last_update_time BIGINT NOT NULL
);
CREATE TABLE experiment_tags (
	experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (experiment_id, key)
) WITHOUT ROWID;
CREATE TABLE runs (
	run_uuid TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL,
	experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
	user_id TEXT NOT NULL,
	status TEXT NOT NULL,
	start_time BIGINT NOT NULL,
	end_time BIGINT,
	lifecycle_stage TEXT NOT NULL,
	artifact_uri TEXT NOT NULL,
	deleted_time BIGINT
) WITHOUT ROWID;
CREATE INDEX runs_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);
CREATE TABLE params (
	run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (run_uuid, key)
) WITHOUT ROWID;
CREATE INDEX params_key ON params (key, value);
CREATE TABLE tags (
	run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (run_uuid, key)
) WITHOUT ROWID;
CREATE INDEX tags_key ON tags (key, value);
CREATE TABLE metrics (
	run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
	key TEXT NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	timestamp BIGINT NOT NULL,
	step BIGINT NOT NULL,
	is_nan INTEGER NOT NULL,
	PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)
) WITHOUT ROWID;
CREATE TABLE latest_metrics (
	run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
	key TEXT NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	timestamp BIGINT NOT NULL,
	step BIGINT NOT NULL,
	is_nan INTEGER NOT NULL,
	PRIMARY KEY (run_uuid, key)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_key ON latest_metrics (key, is_nan, value);
CREATE TABLE datasets (
	dataset_uuid TEXT NOT NULL PRIMARY KEY,
	experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
	name TEXT NOT NULL,
	digest TEXT NOT NULL,
	source_type TEXT NOT NULL,
	source TEXT NOT NULL,
	schema TEXT NOT NULL,
	profile TEXT NOT NULL,
	UNIQUE (experiment_id, name, digest)
);
CREATE TABLE inputs (
	input_uuid TEXT NOT NULL PRIMARY KEY,
	dataset_uuid TEXT NOT NULL REFERENCES datasets (dataset_uuid),
	run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
	UNIQUE (run_uuid, dataset_uuid)
);
CREATE INDEX inputs_dataset ON inputs (dataset_uuid);
CREATE TABLE input_tags (
	input_uuid TEXT NOT NULL REFERENCES inputs (input_uuid),
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (input_uuid, key)
) WITHOUT ROWID`
