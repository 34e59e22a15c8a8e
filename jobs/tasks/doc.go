// Package tasks runs the job task types that need no process of their
// own, inside the server (or `sluice jobs run`): sql, ingest, ml_fit,
// ml_transform, models_predict and ml_recommend. Runners returns them keyed by type
// name for jobs.Config.Runners.
//
// Each runner does what the matching CLI command does, through the same
// library calls:
//
//   - sql: `sluice sql` — the statements of Query or File (read at run
//     time, relative to the job file) after spec.SubstituteSQL, run one by
//     one on the workspace's engine. Every statement's outcome is logged;
//     a query's first 20 rows are logged as a table. With task_values
//     first_row the last query's first row becomes the task's values.
//   - ingest: `sluice ingest` (ingest.Run), paths relative to the job file.
//   - ml_fit: `sluice ml fit` — parse the spec, build it, run it, and log
//     it to tracking with mlrun.LogFit (registering it when asked).
//   - ml_transform: `sluice ml transform` — apply a model directory or
//     model URI to a table or query, writing a table.
//   - models_predict: `sluice models predict` — score a table or query
//     with a (registered) MLflow model, writing a table with the input's
//     columns and the model's prediction (and probability) columns.
//   - ml_recommend: `sluice ml recommend` — find the ALS model in a model
//     directory or URI (alone, in a pipeline or a tuning model) and write
//     the top k items of every user (or users of every item, or of the ids
//     a query selects) as rows (user, rank, item, score).
//
// # Values
//
// Each runner publishes small task values (see the task types in package
// jobs/spec); numbers are JSON numbers, timestamps RFC 3339 strings.
//
// # Cancellation and concurrency
//
// Every runner passes its ctx to the engine, the ML code and the
// tracking client, so a canceled or timed-out attempt stops promptly
// (DuckDB interrupts a running query) and returns an error wrapping ctx's.
// The runners hold no state of their own and are safe for concurrent
// use; SQL statements of concurrent tasks run one at a time on the
// workspace's engine.
package tasks
