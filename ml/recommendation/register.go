package recommendation

import "github.com/sluice-dev/sluice/ml"

// Register adds ALS and ALSModel to r.
func Register(r *ml.Registry) {
	registerALS(r)
}
