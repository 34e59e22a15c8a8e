// Package stat holds Sluice's statistics over frames, shaped like Spark
// ML's org.apache.spark.ml.stat:
//
//   - Summarize: Spark's Summarizer metrics of a vector column (mean,
//     unbiased variance, std, min, max, count, numNonZeros, normL1, normL2,
//     sum, weightSum), optionally weighted, as a Summary struct (and a
//     frame with one row per feature).
//   - Correlation: Pearson or Spearman (average ranks for ties) correlation
//     matrix of a vector column's features, as a gonum *mat.SymDense, or
//     CorrelationFrame as a square frame.
//   - ChiSquareTest: Pearson's chi-squared independence test of each
//     categorical feature against a categorical label (p-values, degrees
//     of freedom, statistics), with a frame in Spark's flattened layout.
//
// Definitions follow Spark 3.x; testdata/gen_reference.py computes the
// reference values with numpy and scipy and says where Spark and them
// differ (a constant column's correlation diagonal, Spark's 1 - CDF
// p-values). Every function reads its input without changing it, is safe
// for concurrent use, and returns errors naming column and row for data it
// cannot use; ctx cancels the scan.
package stat
