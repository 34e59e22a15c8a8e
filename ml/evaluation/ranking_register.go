package evaluation

import "github.com/sluice-dev/sluice/ml"

func registerRanking(r *ml.Registry) {
	r.Register(func() ml.HasParams { return NewRankingEvaluator() })
}
