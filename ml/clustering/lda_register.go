package clustering

import "github.com/sluice-dev/sluice/ml"

func registerLDA(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewLDA() })
	r.Register(func() ml.HasParams { return &LDAModel{P: NewLDA().P} })
}
