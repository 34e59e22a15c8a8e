package feature

import "github.com/sluice-dev/sluice/ml"

func registerLSH(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewBucketedRandomProjectionLSH() })
	r.Register(func() ml.HasParams {
		return &BucketedRandomProjectionLSHModel{P: NewBucketedRandomProjectionLSH().P}
	})
	r.Register(func() ml.HasParams { return NewMinHashLSH() })
	r.Register(func() ml.HasParams { return &MinHashLSHModel{P: NewMinHashLSH().P} })
}
