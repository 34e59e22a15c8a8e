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
// scale); bounds on coefficients switch to optim.Bounded. The multilayer
// perceptron uses the same L-BFGS, or plain gradient descent.
//
// Each pass over the data is split into row chunks taken in turn by at
// most GOMAXPROCS goroutines that live for the fit; each chunk has its own
// gradient accumulator and chunks are added up in order, so a pass
// allocates nothing and a fit gives bit-identical results whatever
// GOMAXPROCS is. When the features column is dense and contiguous (what
// VectorAssembler writes) the fit reads its Arrow buffer in place instead
// of copying it. Fits check ctx between iterations.
//
// # OneVsRest
//
// OneVsRest's classifier is not a param but the Classifier field (any
// estimator with Spark's classifier column params); saving a OneVsRest or
// its model writes the classifier / per-class models as nested stages.
//
// # Concurrency
//
// Estimators and models are safe for concurrent Fit / Transform calls as
// long as nobody changes their params meanwhile.
//
// Register adds every estimator and model to an ml.Registry so ml.Load
// and YAML specs can create them by Spark's class name.
package classification
