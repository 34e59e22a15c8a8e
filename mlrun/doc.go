// Package mlrun logs Sluice's ML fits to an MLflow tracking server —
// Sluice's own, in process or over HTTP, or any MLflow server — through
// package mlflowclient. It is what `sluice ml fit` calls after fitting,
// and the Go API for programs that run specs themselves:
//
//	pl, _ := sp.Build(reg)
//	res, _ := pl.Run(ctx, data, nil)
//	logged, err := mlrun.LogFit(ctx, client, mlrun.Options{Experiment: "churn", Plan: pl, Result: res})
//
// One fit becomes one run in the experiment (created when missing), named
// after the spec, holding:
//
//   - params: every param the spec sets explicitly, as "Stage.param" with
//     the stage's spec name (or class), nested stages as
//     "Stage.param.inner", the tuning block's as "CrossValidator.numFolds";
//     for a tuned fit the grid params carry the best combination's values.
//     Keys are sanitized to MLflow's characters and cut to 250 characters,
//     values to 6,000 (see Key and ParamValue).
//   - metrics: the evaluate list's metrics as test_<metric> (or
//     train_<metric> without test data), the best combination's
//     avg_<metric> and std_<metric>, input_rows, train_rows, test_rows,
//     fit_seconds.
//   - tags: mlflow.source.name (the spec's absolute path),
//     mlflow.source.type LOCAL, mlflow.user, mlflow.source.git.commit when
//     the spec lies in a git work tree, sluice.version, sluice.spec, and
//     mlflow.log-model.history describing the logged model.
//   - inputs: the training and test sources as datasets (table, file or
//     query; digest, schema and row count) with mlflow.data.context
//     training / testing.
//   - artifacts: the fitted model (for a tuned fit, its best model) as an
//     MLflow model directory (models.Save: MLmodel with the sluice flavor,
//     signature and input example) under the artifact path "model", so
//     runs:/RUN_ID/model names it.
//
// CrossValidator and TrainValidationSplit fits make that run a parent and
// log one child run per grid combination (tag mlflow.parentRunId, the
// combination's params, metrics avg_<metric> and, for CrossValidator,
// std_<metric>; the best one tagged sluice.tuning.best), as MLflow's Spark
// autologging does.
//
// With Options.RegisterModel the model becomes a new version of that
// registered model (created when missing), its source the run's model
// artifact URI, and Options.Alias points an alias at it.
//
// Params, metrics and tags travel in log-batch calls within MLflow's
// limits (1,000 metrics, 100 params, 100 tags per call). Runs end
// FINISHED; a failure midway marks the runs LogFit opened FAILED.
package mlrun
