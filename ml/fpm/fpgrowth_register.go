package fpm

import "github.com/sluice-dev/sluice/ml"

func registerFPGrowth(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewFPGrowth() })
	r.Register(func() ml.HasParams { return &FPGrowthModel{P: DefaultFPGrowthParams(), kind: kindString} })
}
