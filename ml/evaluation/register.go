package evaluation

import "github.com/sluice-dev/sluice/ml"

// Register adds this package's evaluators, with Spark's defaults, to r:
// BinaryClassificationEvaluator, MulticlassClassificationEvaluator,
// RegressionEvaluator, RankingEvaluator and ClusteringEvaluator.
func Register(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewBinaryClassificationEvaluator() })
	r.Register(func() ml.HasParams { return NewMulticlassClassificationEvaluator() })
	r.Register(func() ml.HasParams { return NewRegressionEvaluator() })
	registerRanking(r)
	registerClustering(r)
}
