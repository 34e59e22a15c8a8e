// Package regression holds Sluice's Spark-shaped regressors over
// ml.Frame: LinearRegression (least squares, ridge, lasso and elastic
// net, Huber), GeneralizedLinearRegression (gaussian, binomial, poisson,
// gamma and tweedie families fitted by IRLS) and IsotonicRegression
// (pool adjacent violators). Stage and param names, defaults and the
// fitted numbers follow Spark ML; where Spark's choice is a quirk (the
// label's standard deviation dividing the L2 penalty, population versus
// sample standard deviations per solver) the type's doc says so.
//
// # Data
//
// Estimators read a vector featuresCol, a numeric labelCol and an
// optional weightCol through ml.LoadDataset, which rejects NULL and NaN
// values naming column and row. Fitting builds a dense row-major copy of
// the features; the normal-equation solvers then reduce it to a weighted
// Gram matrix, computed in parallel over blocks of rows (at most
// GOMAXPROCS goroutines, ctx checked between blocks) and centred on the
// weighted means for accuracy.
//
// # Models
//
// Fitted models keep the estimator's params (field P) and their learned
// state; they implement ml.Saver and ml.Loader, and Register adds every
// stage to an ml.Registry so ml.Load can recreate them. Training
// summaries are not saved, as in Spark. Models are safe for concurrent
// use once fitted; estimators are not (they hold mutable params).
package regression
