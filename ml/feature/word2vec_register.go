package feature

import "github.com/sluice-dev/sluice/ml"

func registerWord2Vec(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewWord2Vec() })
	r.Register(func() ml.HasParams { return &Word2VecModel{P: NewWord2Vec().P} })
}
