// Package tracking is Sluice's MLflow-compatible tracking store:
// experiments, runs, metrics, params, tags and dataset inputs, kept in the
// metadata database (SQLite or PostgreSQL, one schema applied by
// metastore.Migrate under the component "tracking").
//
// The message types mirror mlflow/protos/service.proto (Experiment, Run,
// RunInfo, Metric, … and one request/response pair per RPC, such as
// CreateRun and CreateRunResponse), with the proto field names as JSON
// names, so that mlflowapi serves them unchanged. Store's methods are named
// after the RPCs.
//
// Invariants:
//   - Experiment ids are decimal strings; "0" is the "Default" experiment,
//     created by Open. Run ids are 32 lowercase hex characters.
//   - A param is written once: logging the same value again is a no-op,
//     another value is INVALID_PARAMETER_VALUE.
//   - Deleting marks lifecycle_stage "deleted"; nothing is purged. Writing
//     to a deleted run is INVALID_PARAMETER_VALUE.
//   - latest_metrics holds, per run and metric key, the value at the
//     largest step (then timestamp, then value); searches filter and order
//     by it, and GetRun and SearchRuns report it.
//   - The tag mlflow.runName and the run's name are kept equal.
//
// Search filters use MLflow's grammar, parsed by package tracking/filter
// and translated to SQL here.
package tracking
