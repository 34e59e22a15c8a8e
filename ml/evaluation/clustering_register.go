package evaluation

import "github.com/sluice-dev/sluice/ml"

// registerClustering adds ClusteringEvaluator with Spark's defaults.
func registerClustering(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewClusteringEvaluator() })
}
