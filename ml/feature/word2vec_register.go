package feature

import "github.com/sluice-dev/sluice/ml"

func registerWord2Vec(r *ml.Registry) {}
