package clustering

import "github.com/sluice-dev/sluice/ml"

func registerKMeans(r *ml.Registry) {}
