package clustering

import "github.com/sluice-dev/sluice/ml"

func registerLDA(r *ml.Registry) {}
