package evaluation

import "github.com/sluice-dev/sluice/ml"

func registerClustering(r *ml.Registry) {}
