package fpm

import "github.com/sluice-dev/sluice/ml"

// Register adds FPGrowth and FPGrowthModel to r.
func Register(r *ml.Registry) {
	registerFPGrowth(r)
}
