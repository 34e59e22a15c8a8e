package feature

import "github.com/sluice-dev/sluice/ml"

func registerLSH(r *ml.Registry) {}
