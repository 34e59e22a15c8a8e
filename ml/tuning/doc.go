// Package tuning is Sluice's model selection, shaped like Spark ML's
// org.apache.spark.ml.tuning: ParamGridBuilder builds param maps,
// CrossValidator (k folds) and TrainValidationSplit (one split) fit an
// estimator with each map, score it with an ml.Evaluator and refit the
// best map on all rows, giving a CrossValidatorModel or
// TrainValidationSplitModel whose Transform is the best model's.
//
// # Addressing params
//
// A ParamMap sets params on stages of the estimator being tuned. A
// ParamRef names the stage by object (the pointer in the pipeline), by
// 0-based index path in the pipeline, by Spark class name
// ("DecisionTreeClassifier.maxDepth", which must match one stage), or not
// at all (the one stage having the param). ParseParamRef reads the text
// forms used in specs. Unknown stages and params are errors suggesting the
// nearest name; a class name shared by two stages is an ambiguity error
// suggesting the index form.
//
// # Copies, not mutation
//
// ParamMap.Apply sets a map's values on a copy of the estimator
// (CopyStage): pipelines are copied stage by stage and each stage's params
// struct is deep-copied by reflection, so tuning never changes the
// estimator it was given and concurrent fits never share params. Stages
// holding other stages outside a Pipeline implement Copier.
//
// # Reproducibility and concurrency
//
// Folds and splits come from ml.NewRand(seed): the same seed and row
// order give the same folds (see FoldIDs), unstratified like Spark's. Up
// to parallelism fits run at once (errgroup); results do not depend on
// it. ctx cancels the fits. Results gives a JSON-friendly Result whose
// Table method prints a readable table.
//
// # Persistence
//
// All four stages save with ml.Save: the estimator, the evaluator (by
// class and params), the param maps (as index paths), the metrics, the
// best model and any sub-models. Register adds them to a registry, which
// Load also uses to re-create the evaluator.
package tuning
