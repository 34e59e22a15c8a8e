// Package evaluation holds Sluice's Evaluators and the numeric kernels
// behind them: binary, multiclass and regression metrics with the
// definitions of Spark ML (BinaryClassificationMetrics, MulticlassMetrics
// and RegressionMetrics in Spark 3.x) so that a model scores the same in
// Sluice and in Spark.
//
// # Evaluators
//
// BinaryClassificationEvaluator, MulticlassClassificationEvaluator and
// RegressionEvaluator implement ml.Evaluator over frames, with Spark's
// names, params, defaults and IsLargerBetter; Register adds them to an
// ml.Registry. They read their columns, check them (a missing column, a
// non-numeric type, NULL or NaN values, negative weights and a single
// class for the binary areas are errors naming column and row) and call
// the kernels below. BinaryClassificationEvaluator down-samples the
// curves to about numBins thresholds the way Spark does (see
// BinaryMetrics; numBins 0 turns it off). Curves and the confusion matrix
// are also available as frames: BinaryClassificationEvaluator.ROCFrame
// (threshold, FPR, TPR), PRFrame (threshold, recall, precision) and
// ConfusionFrame (label, prediction, count, in long form).
//
// RankingEvaluator scores ranked recommendations against the relevant
// items of each row (Spark's RankingMetrics: precisionAtK, recallAtK,
// ndcgAtK, meanAveragePrecision, meanAveragePrecisionAtK), over array
// columns of numbers or strings. ClusteringEvaluator computes Spark's
// silhouette exactly, for squared euclidean and cosine distance, in
// O(n·k·d) from per-cluster aggregates.
//
// # Kernels
//
//   - Binary: AreaUnderROC, AreaUnderPR, ROCCurve, PRCurve. Scores are
//     grouped by distinct value (ties form one threshold, -0 and +0 are the
//     same score), sorted descending, and integrated with the trapezoidal
//     rule. The ROC curve has (0, 0) prepended and (1, 1) appended; the PR
//     curve has (0, p) prepended, where p is the precision at the highest
//     threshold. This is Spark with numBins = 0 (no down-sampling);
//     NewBinaryMetrics adds Spark's down-sampling.
//   - Multiclass: NewConfusion builds a Confusion from predictions, labels
//     and weights; its methods are Spark's metric names (Accuracy,
//     WeightedPrecision, F1, HammingLoss, per-label Precision, ...).
//     LogLoss is Spark's MulticlassMetrics.logLoss.
//   - Regression: Regression returns MSE, RMSE, MAE, R2 (and R2 for
//     throughOrigin = true) and Spark's explained variance ("var").
//
// # Invariants
//
// Weights are optional everywhere: a nil weights slice means every row has
// weight 1. Weights must be finite and non-negative. Inputs are never
// modified, and every function is safe for concurrent use. Problems that
// come from data (length mismatch, NaN, labels outside the allowed set,
// negative weights, a single class) are returned as errors wrapping the
// sentinels in errors.go; nothing here panics on user data.
//
// # Where Spark and scikit-learn differ
//
// The tests compare against scikit-learn where the definitions coincide
// (see testdata/gen_reference.py). They differ in these places, and this
// package follows Spark:
//
//   - AreaUnderPR is a trapezoidal area starting at (0, p); scikit-learn's
//     average_precision_score is a step-function sum.
//   - Regression.R2 with non-unit weights: Spark's total sum of squares is
//     its weighted sample variance times (Σw - 1), which differs from
//     Σw(y-ȳ)² unless all weights are 1.
//   - Regression.ExplainedVariance is Σw(ŷ-ȳ)²/Σw, not scikit-learn's
//     explained_variance_score.
//   - LogLoss clips probabilities but does not renormalize rows.
//   - Degenerate inputs: Spark yields NaN or ±Inf (R2 with constant labels,
//     false positive rate when one label is present) where scikit-learn
//     warns or returns 0; this package returns Spark's value. For binary
//     metrics with a single class both Spark and scikit-learn are
//     unhelpful, so this package returns ErrSingleClass.
package evaluation
