package registry

import "github.com/sluice-dev/sluice/metastore"

// migrations is the registry's schema (metastore component "registry").
// Models have a surrogate id so that a rename touches one row; versions,
// tags and aliases hang off it and go with it (ON DELETE CASCADE, and the
// store deletes them explicitly too). last_version is the highest version
// number ever handed out, so numbers are never reused.
var migrations = []metastore.Migration{
	{SQL: `
CREATE TABLE registry_models (
	id {{AUTOINC}},
	name TEXT NOT NULL UNIQUE,
	creation_timestamp BIGINT NOT NULL,
	last_updated_timestamp BIGINT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	last_version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX registry_models_updated ON registry_models (last_updated_timestamp);
CREATE TABLE registry_model_tags (
	model_id BIGINT NOT NULL REFERENCES registry_models (id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (model_id, key)
);
CREATE TABLE registry_versions (
	model_id BIGINT NOT NULL REFERENCES registry_models (id) ON DELETE CASCADE,
	version BIGINT NOT NULL,
	creation_timestamp BIGINT NOT NULL,
	last_updated_timestamp BIGINT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	current_stage TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL,
	run_id TEXT NOT NULL DEFAULT '',
	run_link TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	status_message TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (model_id, version)
);
CREATE INDEX registry_versions_run_id ON registry_versions (run_id);
CREATE INDEX registry_versions_stage ON registry_versions (model_id, current_stage, version);
CREATE TABLE registry_version_tags (
	model_id BIGINT NOT NULL,
	version BIGINT NOT NULL,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (model_id, version, key),
	FOREIGN KEY (model_id, version) REFERENCES registry_versions (model_id, version) ON DELETE CASCADE
);
CREATE TABLE registry_aliases (
	model_id BIGINT NOT NULL,
	alias TEXT NOT NULL,
	version BIGINT NOT NULL,
	PRIMARY KEY (model_id, alias),
	FOREIGN KEY (model_id, version) REFERENCES registry_versions (model_id, version) ON DELETE CASCADE
)`},
}
