// Package spec reads Sluice job files: YAML, one job per file, parsed
// with the position of every field, validated with every problem
// reported at file:line:column, and the ${…} references of its tasks
// substituted safely at run time. It is the reference 'sluice help jobs'
// points at.
//
// # A job file
//
//	name: nightly_churn                  # letters, digits, _ . -; starts with a letter
//	description: Rebuild features, retrain and score every night.
//	schedule:
//	  cron: "0 2 * * *"                  # minute hour day-of-month month day-of-week, or @daily …
//	  timezone: Europe/Paris             # IANA zone; default UTC
//	  paused: false                      # deploy paused ('sluice jobs resume' starts it)
//	  catch_up: false                    # true: run every tick missed while down
//	  max_catch_up: 100                  # bound on those ticks; default 100
//	on: {table_updated: default.churn}   # also (or instead) run when the table changes
//	parameters:                          # name: default …
//	  date: "2026-01-01"
//	  min_rows: 100                      # numbers and booleans are kept as text
//	# … or a list: [{name: date, default: "2026-01-01", description: "…"}]
//	max_concurrent_runs: 1               # default 1; more runs wait queued
//	timeout: 1h                          # whole run; Go duration or seconds; default none
//	retries: {count: 2, delay: 10s, backoff: 2, max_delay: 10m}   # every task's default
//	notifications:
//	  on_failure:
//	    - webhook: https://hooks.example/x
//	      headers: {X-Token: abc}
//	    - slack: https://hooks.slack.com/services/T000/B000/XXXX
//	  on_success: [{webhook: https://hooks.example/ok}]
//	  on_start: []
//	tasks:
//	  - key: ingest                      # letters, digits, _ and -
//	    ingest: {paths: [data/*.csv], table: churn, mode: overwrite}
//	  - key: prep
//	    depends_on: [ingest]
//	    sql:
//	      query: |
//	        CREATE OR REPLACE TABLE x AS SELECT * FROM churn WHERE d = ${date};
//	        SELECT count(*) AS n FROM x
//	      task_values: first_row         # publish {n: …} for ${tasks.prep.values.n}
//	  - key: fit
//	    depends_on: [prep]
//	    run_if: all_success
//	    retries: {count: 1}              # replaces the job's policy
//	    timeout: 30m                     # one attempt
//	    ml_fit: {spec: train.yaml, experiment: churn, register: churn, alias: champion}
//	  - key: each
//	    depends_on: [prep]
//	    for_each:
//	      items: [a, b]
//	      concurrency: 2
//	      task: {exec: {command: [echo, "${item}", "${tasks.prep.values.n}"]}}
//	  - key: hello
//	    exec: {command: [sh, -c, "echo hi"], env: {A: b}, dir: .}
//	  - key: child
//	    run_job: {job: other, parameters: {x: "${date}"}}
//
// # Job keys
//
//   - name (required): the job's name, unique among deployed jobs.
//   - description: free text.
//   - schedule: cron (required; see package jobs/cron), timezone (default
//     UTC), paused, catch_up (default false: only the latest missed tick
//     runs after downtime), max_catch_up (≥ 1, default 100).
//   - on: table_updated: name or namespace.name — a run whenever the table
//     gets a new version. schedule and on may both be given.
//   - parameters: a mapping name: default (or name: {default,
//     description}), or a list of {name, default, description}. Names are
//     letters, digits and _ (not starting with a digit) and not job, run,
//     tasks, item or ident. Defaults are text; runs may override them
//     (Job.ResolveParams refuses unknown names).
//   - max_concurrent_runs: ≥ 1, default 1.
//   - timeout: the bound on a run (a Go duration such as 90s, 1h30m, or a
//     whole number of seconds); default none.
//   - retries: count (0–100), delay (default 10s), backoff (≥ 1, default
//     2), max_delay (default 10m). Attempt n+1 waits
//     delay·backoff^(n-1), capped at max_delay (Retry.DelayBefore). A
//     task's retries replace the job's (Job.TaskRetry).
//   - notifications: on_start, on_success, on_failure: lists of
//     destinations, each exactly one of webhook (an http(s) URL receiving
//     the JSON event of package jobs/notify; headers adds request headers)
//     and slack (a Slack incoming-webhook URL).
//   - tasks (required, at least one, at most MaxTasks).
//
// # Task keys
//
// Every task has key (required, unique), description, depends_on (keys
// of tasks of this job), run_if (all_success — the default —, all_done,
// none_failed, at_least_one_failed), retries, timeout (one attempt), and
// exactly one type:
//
//   - sql: query (statements separated by ';') or file (a .sql file,
//     relative to the job file; it must exist at parse time unless its
//     name holds a reference), and task_values: first_row to publish the
//     last statement's first row.
//   - ingest: paths (required; files or globs relative to the job file),
//     table (required), format (csv, tsv, json, parquet, arrow; default
//     from the extension), mode (append — default — or overwrite),
//     partition_by, merge_schema, bad_rows (fail — default — or
//     quarantine), and the CSV options header, delimiter, quote, escape,
//     nulls, date_format, timestamp_format, sample_size.
//   - ml_fit: spec (required; a pipeline spec file, which must exist),
//     experiment, run_name, register, alias (needs register).
//   - ml_transform: model (required), exactly one of table and query, into
//     (required), mode (overwrite — default — or append).
//   - models_predict: as ml_transform, plus columns.
//   - ml_recommend: model (required; holding an ALS model), k (default
//     10), for (users — default — or items), ids (SQL whose first column
//     holds the users or items to recommend for; default all), into
//     (required), mode (overwrite — default — or append).
//   - exec: command (required; the program and its arguments, no shell:
//     write [sh, -c, "…"] for one), env (not SLUICE_* names, which Sluice
//     sets), dir (relative to the job file's directory, its default).
//   - run_job: job (required), parameters.
//   - for_each: exactly one of items (a list), param (the name of a
//     declared parameter holding a JSON array or a comma-separated list)
//     and query (SQL; each row an item); concurrency (≥ 1, default 1);
//     task (required): one task of any type but for_each, without key,
//     depends_on or run_if.
//
// # References
//
// Task fields may refer to values with ${…}:
//
//   - ${NAME}: the parameter NAME (its default or the run's override);
//   - ${job.name}: the job's name;
//   - ${run.id}: the run's id (an integer);
//   - ${run.logical_date}: the run's logical date, YYYY-MM-DD (for a
//     scheduled run, the tick it stands for; else when it was created);
//   - ${run.logical_time}: the same instant in RFC 3339;
//   - ${tasks.KEY.values.NAME}: the value NAME published by task KEY,
//     which must be upstream of the task (in depends_on, transitively);
//   - ${item}, ${item.COL}: inside a for_each's task, the item (a scalar
//     as text, an object as JSON) and one of its fields;
//   - ${ident:NAME}: in SQL text only, NAME's value as a quoted
//     identifier;
//   - $${ is a literal ${ (write $${HOME} to pass ${HOME} to a shell).
//
// Every reference is checked when the job is parsed: unknown parameters
// and built-ins, task values of tasks that are not upstream, ${item}
// outside a for_each. References are substituted when a task attempt
// starts: Task.Substituted for every field but SQL text (Substitute:
// the value inserted as is), and SubstituteSQL for SQL text (sql query
// and file contents, ml_transform, models_predict and for_each query,
// ml_recommend ids), which cannot inject SQL:
//
//   - outside string literals a value becomes one literal: a number when
//     it is a plain decimal number (negative ones in parentheses), else a
//     '…' string with ' doubled — so WHERE d = ${date} needs no quotes;
//   - inside a '…' literal the value is inserted with ' doubled (and \
//     doubled inside E'…'), so DATE '${run.logical_date}' works;
//   - ${ident:NAME} becomes "NAME" (a.b becomes "a"."b", " doubled);
//   - references inside -- and /* */ comments, "quoted identifiers" and
//     $tag$…$tag$ strings are left as written.
//
// # Errors
//
// Parse reports every problem it finds as an ErrorList sorted by
// position, each *Error printing as file:line:col: message; hint: YAML
// syntax, unknown keys (with the nearest known one), wrong types,
// missing required fields, bad names, duplicate task keys, unknown
// dependencies, dependency cycles (a → b → a, at the depends_on entry
// closing it), unknown references (at the reference inside the string
// when the string maps to the source one to one), bad cron expressions
// (at the offending column), unknown time zones, unknown or several task
// types, bad run_if, durations, retries, URLs, for_each inputs and
// concurrency. Checks needing other jobs or the server (run_job targets,
// task types with runners) are the engine's.
//
// # Main types and invariants
//
// Job, Task and the typed task bodies (SQLTask, IngestTask, …) are
// plain data: after Parse every default is filled (max_concurrent_runs
// 1, timezone UTC, max_catch_up 100, retry delay 10s, backoff 2,
// max_delay 10m, run_if all_success, for_each concurrency 1), exactly
// one type field of each task is set, depends_on names tasks of the job
// and the tasks form a DAG. Job.Dir is the absolute directory relative
// paths resolve against; Job.Source the file's bytes. Values are not
// changed by any function of this package (Substituted returns a copy),
// so a parsed Job may be shared by goroutines that only read it.
//
// Schema returns the job file's JSON Schema; LoadPath reads a file or a
// directory of them; TopoOrder, Downstream, Upstream and Roots walk the
// DAG.
package spec
