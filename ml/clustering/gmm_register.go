package clustering

import "github.com/sluice-dev/sluice/ml"

func registerGMM(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewGaussianMixture() })
	r.Register(func() ml.HasParams { return &GaussianMixtureModel{P: NewGaussianMixture().P} })
}
