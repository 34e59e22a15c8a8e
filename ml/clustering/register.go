package clustering

import "github.com/sluice-dev/sluice/ml"

// Register adds this package's estimators and models to r.
func Register(r *ml.Registry) {
	registerKMeans(r)
	registerGMM(r)
	registerLDA(r)
}
