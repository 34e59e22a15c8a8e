// Package models stores fitted Sluice pipelines as MLflow model
// directories and finds them again from MLflow model URIs.
//
// # Model directories
//
// Save writes a fitted model (a PipelineModel, or a tuning model wrapping
// one) as an MLflow model directory:
//
//	MLmodel              YAML: artifact_path, flavors, model_uuid, run_id,
//	                     saved_input_example_info, signature, utc_time_created
//	input_example.json   a few training rows, pandas split orient
//	                     {"columns": [...], "data": [[...]]}
//	input_schema.arrow   the exact Arrow input schema (MLflow's types are coarser)
//	model/               the Sluice model directory ml.Save writes
//
// MLmodel has two flavors: sluice (model_dir, format, format_version,
// model_class, prediction_col, sluice_version), which Load reads, and
// python_function with loader_module "sluice" so that MLflow's tools list
// and describe the model. No Python module named sluice exists:
// mlflow.pyfunc.load_model cannot load a Sluice model; serve it with
// `sluice models serve` (package serving) instead.
//
// The signature is MLflow's column-based schema: inputs are the columns
// the model reads (Save drops the ones it does not, such as the label),
// outputs the prediction column, and params the "output" inference param
// (which output columns /invocations returns). Arrow and MLflow types map
// as ArrowToType and Type.ArrowType describe; vectors are array<double>.
//
// # URIs
//
// ParseURI reads models:/NAME/VERSION, models:/NAME@ALIAS,
// models:/NAME/latest, models:/NAME/STAGE, runs:/RUN_ID/PATH,
// mlflow-artifacts:/… (and other artifact URIs), file:// URIs and plain
// paths. Resolve turns one into a local directory through a Resolver (the
// registry, tracking and artifact stores, wired by the server or the CLI)
// and caches downloads by model name and version.
//
// Functions in this package are safe for concurrent use; a loaded *Model
// is read-only and may be shared by concurrent requests.
package models
