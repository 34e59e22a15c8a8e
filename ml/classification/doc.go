// Package classification holds Sluice's non-tree classifiers, shaped like
// Spark ML's: LogisticRegression, LinearSVC, NaiveBayes,
// MultilayerPerceptronClassifier and OneVsRest, each an ml.Estimator whose
// Fit returns the matching model (LogisticRegressionModel, …). Stage and
// param names and defaults are Spark's.
//
// # Data
//
// Estimators read the featuresCol vector column, the labelCol class index
// (0, 1, …; index string labels with StringIndexer) and the optional
// weightCol through ml.LoadDataset, so NULL or NaN inputs fail naming the
// row and column. Models write rawPrediction, probability and prediction
// through ml.TransformClassifier.
//
// # Fitting
//
// The linear models (logistic regression, linear SVM) minimize Spark's
// objective — the weighted mean loss plus regParam·(α‖β‖₁ + (1−α)/2‖β‖₂²)
// — with the L-BFGS / OWL-QN minimizers of package optim, in the
// standardized feature space (coefficients are reported on the original
// scale). Each pass over the data is split by row range across at most
// GOMAXPROCS goroutines that live for the fit, with per-goroutine
// gradient buffers, so a pass allocates nothing. Fits check ctx between
// iterations.
//
// # Concurrency
//
// Estimators and models are safe for concurrent Fit / Transform calls as
// long as nobody changes their params meanwhile.
//
// Register adds every estimator and model to an ml.Registry so ml.Load
// and YAML specs can create them by Spark's class name.
package classification
