package clustering

import "github.com/sluice-dev/sluice/ml"

// registerKMeans adds KMeans, BisectingKMeans and their models, with
// Spark's defaults.
func registerKMeans(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewKMeans() })
	r.Register(func() ml.HasParams { return &KMeansModel{P: NewKMeans().P} })
	r.Register(func() ml.HasParams { return NewBisectingKMeans() })
	r.Register(func() ml.HasParams { return &BisectingKMeansModel{P: NewBisectingKMeans().P} })
}
