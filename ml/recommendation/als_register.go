package recommendation

import "github.com/sluice-dev/sluice/ml"

func registerALS(r *ml.Registry) {}
