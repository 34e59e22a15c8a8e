package clustering

import "github.com/sluice-dev/sluice/ml"

func registerGMM(r *ml.Registry) {}
